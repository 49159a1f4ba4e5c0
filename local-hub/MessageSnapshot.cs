using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// A detached copy of a received message. Received AMQP messages borrow the connection's
/// buffers, so the hub copies what it keeps and builds a fresh message for each delivery.
/// </summary>
internal sealed class MessageSnapshot
{
    public Properties Properties { get; private init; } = new();
    public Dictionary<string, object?> ApplicationProperties { get; private init; } = new();
    public List<KeyValuePair<string, object?>> Annotations { get; private init; } = new();
    public List<byte[]>? DataSections { get; private init; }
    public object? Value { get; private init; }
    public long Size { get; private init; }

    /// <summary>Body bytes: the concatenated Data sections, or the UTF-8/binary value.</summary>
    public byte[] BodyBytes => DataSections is { } d ? d.SelectMany(x => x).ToArray()
        : Value switch { byte[] b => b, ArraySegment<byte> s => s.ToArray(), string str => System.Text.Encoding.UTF8.GetBytes(str), _ => Array.Empty<byte>() };

    /// <summary>Body length in bytes, without copying.</summary>
    public long BodyLength => DataSections is { } d ? d.Sum(x => (long)x.Length)
        : Value switch { byte[] b => b.Length, ArraySegment<byte> s => s.Count, string str => System.Text.Encoding.UTF8.GetByteCount(str), _ => 0 };

    public static MessageSnapshot From(AmqpMessage message)
    {
        var props = new Properties();
        if (message.Properties is { } p)
        {
            props.MessageId = p.MessageId;
            props.UserId = p.UserId.Array is null ? default : new ArraySegment<byte>(p.UserId.ToArray());
            props.To = p.To;
            props.Subject = p.Subject;
            props.ReplyTo = p.ReplyTo;
            props.CorrelationId = p.CorrelationId;
            props.ContentType = p.ContentType;
            props.ContentEncoding = p.ContentEncoding;
            props.AbsoluteExpiryTime = p.AbsoluteExpiryTime;
            props.CreationTime = p.CreationTime;
            props.GroupId = p.GroupId;
            props.GroupSequence = p.GroupSequence;
            props.ReplyToGroupId = p.ReplyToGroupId;
        }
        var app = new Dictionary<string, object?>();
        if (message.ApplicationProperties?.Map is { } map)
        {
            foreach (var kv in map) app[kv.Key.ToString()!] = CopyValue(kv.Value);
        }
        var annotations = new List<KeyValuePair<string, object?>>();
        if (message.MessageAnnotations?.Map is { } ann)
        {
            foreach (var kv in ann) annotations.Add(new(kv.Key.ToString()!, CopyValue(kv.Value)));
        }
        List<byte[]>? data = null;
        object? value = null;
        if ((message.BodyType & SectionFlag.Data) != 0)
        {
            data = message.DataBody.Select(d => d.Value switch
            {
                ArraySegment<byte> s => s.ToArray(),
                byte[] b => (byte[])b.Clone(),
                _ => Array.Empty<byte>(),
            }).ToList();
        }
        else if ((message.BodyType & SectionFlag.AmqpValue) != 0)
        {
            value = CopyValue(message.ValueBody.Value);
        }
        return new MessageSnapshot
        {
            Properties = props, ApplicationProperties = app, Annotations = annotations,
            DataSections = data, Value = value, Size = message.SerializedMessageSize,
        };
    }

    /// <summary>Builds a new message carrying this content plus <paramref name="extraAnnotations"/>.</summary>
    public AmqpMessage ToMessage(IEnumerable<KeyValuePair<string, object?>>? extraAnnotations = null)
    {
        AmqpMessage message = DataSections is { } data
            ? AmqpMessage.Create(data.Select(b => new Data { Value = new ArraySegment<byte>(b) }).ToList())
            : Value is not null ? AmqpMessage.Create(new AmqpValue { Value = Value }) : AmqpMessage.Create();
        var p = message.Properties;
        p.MessageId = Properties.MessageId;
        p.UserId = Properties.UserId;
        p.To = Properties.To;
        p.Subject = Properties.Subject;
        p.ReplyTo = Properties.ReplyTo;
        p.CorrelationId = Properties.CorrelationId;
        p.ContentType = Properties.ContentType;
        p.ContentEncoding = Properties.ContentEncoding;
        p.AbsoluteExpiryTime = Properties.AbsoluteExpiryTime;
        p.CreationTime = Properties.CreationTime;
        p.GroupId = Properties.GroupId;
        p.GroupSequence = Properties.GroupSequence;
        p.ReplyToGroupId = Properties.ReplyToGroupId;
        foreach (var kv in ApplicationProperties) message.ApplicationProperties.Map[kv.Key] = kv.Value;
        foreach (var kv in Annotations) message.MessageAnnotations.Map[kv.Key] = kv.Value;
        if (extraAnnotations is not null)
        {
            foreach (var kv in extraAnnotations) message.MessageAnnotations.Map[kv.Key] = kv.Value;
        }
        return message;
    }

    // Buffers that point into the connection's memory must be copied out.
    private static object? CopyValue(object? value) => value switch
    {
        ArraySegment<byte> s => new ArraySegment<byte>(s.ToArray()),
        _ => value,
    };
}

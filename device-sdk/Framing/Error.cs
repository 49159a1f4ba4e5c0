// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The error type (AMQP 1.0 2.8.14), carried by close, end, detach and rejected.</summary>
    internal sealed class Error : DescribedList
    {
        /// <summary>condition (index 0, mandatory): the error condition symbol, e.g. <c>amqp:not-found</c>.</summary>
        public string Condition;

        /// <summary>description (index 1): human-readable text, or null.</summary>
        public string Description;

        /// <summary>info (index 2): map of symbol keys to supplementary information, or null.</summary>
        public AmqpMap Info;

        /// <summary>Creates an empty error.</summary>
        public Error()
        {
        }

        /// <summary>Creates an error with a condition and a description.</summary>
        public Error(string condition, string description)
        {
            Condition = condition;
            Description = description;
        }

        /// <summary>The error as an exception, to raise to the application.</summary>
        public AmqpException ToException() => new AmqpException(Condition, Description, Info);

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Error);
            c.Symbol(ref Condition, "condition");
            c.String(ref Description, null);
            c.Map(ref Info);
        }
    }
}

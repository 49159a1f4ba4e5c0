// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The target terminus (AMQP 1.0 3.5.4): where a link's messages go.</summary>
    internal sealed class Target
    {
        private const int FieldCount = 7;

        /// <summary>address (index 0): the address of the target, or null.</summary>
        public string Address;

        /// <summary>durable (index 1): terminus durability (0 none, 1 configuration, 2 unsettled-state); default 0.</summary>
        public uint Durable;

        /// <summary>expiry-policy (index 2): symbol such as <c>link-detach</c>; null = absent (spec default <c>session-end</c>).</summary>
        public string ExpiryPolicy;

        /// <summary>timeout (index 3): seconds the terminus survives after the expiry policy triggers; default 0.</summary>
        public uint Timeout;

        /// <summary>dynamic (index 4): ask the peer to create the node; default false.</summary>
        public bool Dynamic;

        /// <summary>dynamic-node-properties (index 5): properties of the dynamically created node, or null.</summary>
        public AmqpMap DynamicNodeProperties;

        /// <summary>capabilities (index 6): extension capabilities of the target, or null.</summary>
        public string[] Capabilities;

        /// <summary>Writes the target descriptor and the list, leaving out trailing absent or default fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = CountToWrite();
            int start = FieldCodec.BeginList(b, Descriptor.Target, count);
            for (int i = 0; i < count; i++) WriteField(b, i);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>
        /// Reads the target descriptor and the list, resetting every field first. Unlike the performatives the
        /// descriptor is read here, since a target is a field value inside attach.
        /// </summary>
        public void Decode(ByteBuffer b)
        {
            ulong code = Decoder.ReadDescriptor(b);
            if (code != Descriptor.Target) throw Decoder.Error("expected a target, found descriptor 0x" + code.ToString("X"));
            Reset();
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b)) ReadField(b, i);
            }
            FieldCodec.EndFields(b, end, "target");
        }

        /// <summary>Reads an optional target field: null, or a described target.</summary>
        public static Target Read(ByteBuffer b)
        {
            if (Decoder.TryReadNull(b)) return null;
            var t = new Target();
            t.Decode(b);
            return t;
        }

        private void Reset()
        {
            Address = null;
            Durable = 0;
            ExpiryPolicy = null;
            Timeout = 0;
            Dynamic = false;
            DynamicNodeProperties = null;
            Capabilities = null;
        }

        private int CountToWrite()
        {
            if (Capabilities != null) return 7;
            if (DynamicNodeProperties != null) return 6;
            if (Dynamic) return 5;
            if (Timeout != 0) return 4;
            if (ExpiryPolicy != null) return 3;
            if (Durable != 0) return 2;
            if (Address != null) return 1;
            return 0;
        }

        private void WriteField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Encoder.WriteString(b, Address); break;
                case 1:
                    if (Durable == 0) Encoder.WriteNull(b);
                    else Encoder.WriteUInt(b, Durable);
                    break;
                case 2: Encoder.WriteSymbol(b, ExpiryPolicy); break;
                case 3:
                    if (Timeout == 0) Encoder.WriteNull(b);
                    else Encoder.WriteUInt(b, Timeout);
                    break;
                case 4:
                    if (Dynamic) Encoder.WriteBoolean(b, true);
                    else Encoder.WriteNull(b);
                    break;
                case 5: Encoder.WriteMap(b, DynamicNodeProperties); break;
                case 6: FieldCodec.WriteSymbols(b, Capabilities); break;
            }
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Address = FieldCodec.ReadAddress(b); break;
                case 1: Durable = Decoder.ReadUInt(b); break;
                case 2: ExpiryPolicy = Decoder.ReadSymbol(b); break;
                case 3: Timeout = Decoder.ReadUInt(b); break;
                case 4: Dynamic = Decoder.ReadBoolean(b); break;
                case 5: DynamicNodeProperties = Decoder.ReadMap(b); break;
                case 6: Capabilities = Decoder.ReadSymbols(b); break;
            }
        }
    }
}

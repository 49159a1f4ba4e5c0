// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The source terminus (AMQP 1.0 3.5.3): where a link's messages come from.</summary>
    internal sealed class Source
    {
        private const int FieldCount = 11;

        /// <summary>address (index 0): the address of the source, or null.</summary>
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

        /// <summary>distribution-mode (index 6): symbol <c>move</c> or <c>copy</c>, or null.</summary>
        public string DistributionMode;

        /// <summary>filter (index 7): filters on the messages the source delivers (symbol keys), or null.</summary>
        public AmqpMap Filter;

        /// <summary>default-outcome (index 8): the outcome for unsettled deliveries when the link ends, or null.</summary>
        public Outcome DefaultOutcome;

        /// <summary>outcomes (index 9): descriptor symbols of the outcomes the source supports, or null.</summary>
        public string[] Outcomes;

        /// <summary>capabilities (index 10): extension capabilities of the source, or null.</summary>
        public string[] Capabilities;

        /// <summary>Writes the source descriptor and the list, leaving out trailing absent or default fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = CountToWrite();
            int start = FieldCodec.BeginList(b, Descriptor.Source, count);
            for (int i = 0; i < count; i++) WriteField(b, i);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>
        /// Reads the source descriptor and the list, resetting every field first. Unlike the performatives the
        /// descriptor is read here, since a source is a field value inside attach.
        /// </summary>
        public void Decode(ByteBuffer b)
        {
            ulong code = Decoder.ReadDescriptor(b);
            if (code != Descriptor.Source) throw Decoder.Error("expected a source, found descriptor 0x" + code.ToString("X"));
            Reset();
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b)) ReadField(b, i);
            }
            FieldCodec.EndFields(b, end, "source");
        }

        /// <summary>Reads an optional source field: null, or a described source.</summary>
        public static Source Read(ByteBuffer b)
        {
            if (Decoder.TryReadNull(b)) return null;
            var s = new Source();
            s.Decode(b);
            return s;
        }

        private void Reset()
        {
            Address = null;
            Durable = 0;
            ExpiryPolicy = null;
            Timeout = 0;
            Dynamic = false;
            DynamicNodeProperties = null;
            DistributionMode = null;
            Filter = null;
            DefaultOutcome = null;
            Outcomes = null;
            Capabilities = null;
        }

        private int CountToWrite()
        {
            if (Capabilities != null) return 11;
            if (Outcomes != null) return 10;
            if (DefaultOutcome != null) return 9;
            if (Filter != null) return 8;
            if (DistributionMode != null) return 7;
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
                case 6: Encoder.WriteSymbol(b, DistributionMode); break;
                case 7: Encoder.WriteMap(b, Filter); break;
                case 8: Outcome.Write(b, DefaultOutcome); break;
                case 9: FieldCodec.WriteSymbols(b, Outcomes); break;
                case 10: FieldCodec.WriteSymbols(b, Capabilities); break;
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
                case 6: DistributionMode = Decoder.ReadSymbol(b); break;
                case 7: Filter = Decoder.ReadMap(b); break;
                case 8: DefaultOutcome = Outcome.Decode(b); break;
                case 9: Outcomes = Decoder.ReadSymbols(b); break;
                case 10: Capabilities = Decoder.ReadSymbols(b); break;
            }
        }
    }
}

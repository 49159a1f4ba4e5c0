// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    [TestClass]
    public class AmqpMapTests
    {
        [TestMethod]
        public void Indexer_NewKeys_KeepInsertionOrder()
        {
            var m = new AmqpMap();
            m["b"] = 1;
            m["a"] = 2;
            m[new Symbol("c")] = 3;
            Assert.AreEqual(3, m.Count);
            Assert.AreEqual("b", m.KeyAt(0));
            Assert.AreEqual("a", m.KeyAt(1));
            Assert.AreEqual(new Symbol("c"), m.KeyAt(2));
            Assert.AreEqual(2, m.ValueAt(1));
        }

        [TestMethod]
        public void Indexer_ExistingKey_ReplacesInPlace()
        {
            var m = new AmqpMap();
            m["a"] = 1;
            m["b"] = 2;
            m["a"] = 9;
            Assert.AreEqual(2, m.Count);
            Assert.AreEqual("a", m.KeyAt(0));
            Assert.AreEqual(9, m["a"]);
        }

        [TestMethod]
        public void Indexer_MissingKey_ReturnsNull()
        {
            var m = new AmqpMap();
            m["a"] = 1;
            Assert.IsNull(m["z"]);
            Assert.IsFalse(m.ContainsKey("z"));
            Assert.AreEqual(-1, m.IndexOf("z"));
        }

        [TestMethod]
        public void Keys_DifferentAmqpTypes_AreDistinct()
        {
            var m = new AmqpMap();
            m["a"] = 1;
            m[new Symbol("a")] = 2;
            m[1u] = 3;
            m[1ul] = 4;
            m[1] = 5;
            Assert.AreEqual(5, m.Count);
            Assert.AreEqual(1, m["a"]);
            Assert.AreEqual(2, m[new Symbol("a")]);
            Assert.AreEqual(4, m[1ul]);
        }

        [TestMethod]
        public void Keys_NullKey_IsAllowed()
        {
            var m = new AmqpMap();
            m[null] = "n";
            Assert.IsTrue(m.ContainsKey(null));
            Assert.AreEqual("n", m[null]);
        }

        [TestMethod]
        public void Keys_BinaryKey_MatchesByContent()
        {
            // AMQP compares binary values by their bytes; a decoded key is a new array.
            var m = new AmqpMap();
            m[new byte[] { 1, 2 }] = "x";
            Assert.IsTrue(m.ContainsKey(new byte[] { 1, 2 }));
            Assert.AreEqual("x", m[new byte[] { 1, 2 }]);
            Assert.IsFalse(m.ContainsKey(new byte[] { 1, 2, 3 }));
        }

        [TestMethod]
        public void Remove_PresentAndAbsent_ReturnsWhetherRemoved()
        {
            var m = new AmqpMap();
            m["a"] = 1;
            m["b"] = 2;
            Assert.IsTrue(m.Remove("a"));
            Assert.IsFalse(m.Remove("a"));
            Assert.AreEqual(1, m.Count);
            Assert.AreEqual("b", m.KeyAt(0));
            Assert.AreEqual(2, m.ValueAt(0));
        }

        [TestMethod]
        public void Equals_SameEntriesOtherOrder_AreEqual()
        {
            var a = new AmqpMap();
            a["x"] = new byte[] { 1 };
            a["y"] = new object[] { 1u };
            var b = new AmqpMap();
            b["y"] = new object[] { 1u };
            b["x"] = new byte[] { 1 };
            Assert.IsTrue(a.Equals(b));
            Assert.IsTrue(b.Equals(a));
            Assert.AreEqual(a.GetHashCode(), b.GetHashCode());
        }

        [TestMethod]
        public void Equals_DifferentValueCountOrType_NotEqual()
        {
            var a = new AmqpMap();
            a["x"] = 1;
            var b = new AmqpMap();
            b["x"] = 1u;
            Assert.IsFalse(a.Equals(b));
            b["x"] = 1;
            b["y"] = 1;
            Assert.IsFalse(a.Equals(b));
            Assert.IsFalse(a.Equals(null));
            Assert.IsFalse(a.Equals("x"));
        }

        [TestMethod]
        public void RoundTrip_MixedEntries_EqualMap()
        {
            var m = new AmqpMap();
            m[new Symbol("x-opt-enqueued-time")] = new System.DateTime(2024, 5, 6, 7, 8, 9, 10);
            m["iothub-connection-device-id"] = "dev1";
            m[5L] = new AmqpMap();
            m[new byte[] { 9 }] = null;
            var r = (AmqpMap)CodecHelper.RoundTrip(m);
            Assert.AreEqual(m, r);
            Assert.AreEqual("dev1", r["iothub-connection-device-id"]);
            Assert.IsTrue(r.ContainsKey(new byte[] { 9 }));
        }

        // ---- the hash index used from AmqpMap.IndexThreshold entries on ----

        [TestMethod]
        public void LargeMap_LookupReplaceRemove_FindEveryEntry()
        {
            var m = new AmqpMap();
            for (int i = 0; i < 100; i++) m["k" + i] = i;
            Assert.AreEqual(100, m.Count);
            for (int i = 0; i < 100; i++) Assert.AreEqual(i, m.IndexOf("k" + i));
            Assert.AreEqual(-1, m.IndexOf("k100"));
            m["k5"] = -5;
            Assert.AreEqual(100, m.Count);
            Assert.AreEqual(-5, m["k5"]);
            // Removing shifts later entries down: the index is rebuilt and still finds them.
            Assert.IsTrue(m.Remove("k10"));
            Assert.IsFalse(m.ContainsKey("k10"));
            Assert.AreEqual(10, m.IndexOf("k11"));
            Assert.AreEqual(98, m.IndexOf("k99"));
            m["k10"] = 10;
            Assert.AreEqual(99, m.IndexOf("k10"));
        }

        [TestMethod]
        public void LargeMap_SameNumberOfDifferentTypes_AreDistinctKeys()
        {
            var m = new AmqpMap();
            for (int i = 0; i < 10; i++)
            {
                m[i] = "int";
                m[(uint)i] = "uint";
                m[(ulong)i] = "ulong";
                m[(long)i] = "long";
            }
            Assert.AreEqual(40, m.Count);
            Assert.AreEqual("uint", m[7u]);
            Assert.AreEqual("ulong", m[7ul]);
            Assert.AreEqual("long", m[7L]);
            Assert.AreEqual("int", m[7]);
        }

        [TestMethod]
        public void LargeMap_BinaryAndSymbolKeys_MatchByContent()
        {
            var m = new AmqpMap();
            for (int i = 0; i < 30; i++)
            {
                m[new byte[] { (byte)i, 9 }] = i;
                m[new Symbol("s" + i)] = i;
            }
            Assert.AreEqual(60, m.Count);
            Assert.AreEqual(17, m[new byte[] { 17, 9 }]);
            Assert.AreEqual(17, m[new Symbol("s17")]);
            Assert.IsNull(m["s17"]);
        }

        [TestMethod]
        public void Equals_LargeMapsOtherOrder_AreEqual()
        {
            var a = new AmqpMap();
            var b = new AmqpMap();
            for (int i = 0; i < 50; i++)
            {
                a[(uint)i] = new byte[] { (byte)i };
                b[(uint)(49 - i)] = new byte[] { (byte)(49 - i) };
            }
            Assert.IsTrue(a.Equals(b));
            b[3u] = new byte[] { 0 };
            Assert.IsFalse(a.Equals(b));
        }

        [TestMethod]
        [DataRow("binary")]
        [DataRow("string")]
        [DataRow("symbol")]
        [DataRow("uint")]
        [DataRow("ulong")]
        [DataRow("int")]
        [DataRow("long")]
        [DataRow("timestamp")]
        [DataRow("uuid")]
        [DataRow("double")]
        [DataRow("list")]
        [DataRow("described")]
        public void Decode_LargeMapWithDuplicateKey_IsDecodeError(string kind)
        {
            // 40 distinct keys, then a fresh copy of key 7: found through the index, not by reference.
            object[] keys = new object[41];
            for (int i = 0; i < 40; i++) keys[i] = KeyOf(kind, i);
            keys[40] = KeyOf(kind, 7);
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(RawMap(keys)));
            // Without the copy the same keys decode.
            object[] distinct = new object[40];
            Array.Copy(keys, distinct, 40);
            var m = (AmqpMap)Decoder.ReadObject(RawMap(distinct));
            Assert.AreEqual(40, m.Count);
            Assert.AreEqual(7u, m[KeyOf(kind, 7)]);
        }

        [TestMethod]
        public void Decode_LargeMapNumbersOfDifferentTypes_AreNotDuplicates()
        {
            object[] keys = new object[80];
            for (int i = 0; i < 20; i++)
            {
                keys[i] = (uint)i;
                keys[20 + i] = (ulong)i;
                keys[40 + i] = i;
                keys[60 + i] = (long)i;
            }
            var m = (AmqpMap)Decoder.ReadObject(RawMap(keys));
            Assert.AreEqual(80, m.Count);
            Assert.AreEqual(25u, m[5ul]);
        }

        [TestMethod]
        public void Decode_LargeMapNaNKeys_AreDuplicates()
        {
            // Double.Equals treats NaN as equal to itself, so a map cannot hold two NaN keys.
            object[] keys = new object[20];
            for (int i = 0; i < 19; i++) keys[i] = (double)i;
            keys[19] = double.NaN;
            Assert.AreEqual(20, ((AmqpMap)Decoder.ReadObject(RawMap(keys))).Count);
            keys[3] = double.NaN;
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(RawMap(keys)));
        }

        [TestMethod]
        public void Decode_Map12000Keys_DecodesEveryEntry()
        {
            var m = new AmqpMap();
            for (int i = 0; i < 12000; i++) m[(uint)(0x10000 + i)] = i % 3 == 0 ? (object)("v" + i) : null;
            var b = new ByteBuffer(12000 * 12);
            Encoder.WriteMap(b, m);
            var d = (AmqpMap)Decoder.ReadObject(b);
            Assert.AreEqual(0, b.Length);
            Assert.AreEqual(12000, d.Count);
            Assert.AreEqual("v9999", d[(uint)(0x10000 + 9999)]);
            Assert.IsNull(d[(uint)(0x10000 + 10000)]);
            Assert.IsTrue(d.ContainsKey((uint)(0x10000 + 11999)));
            Assert.IsFalse(d.ContainsKey((ulong)(0x10000 + 11999)));
            Assert.IsTrue(m.Equals(d));
        }

        private static object KeyOf(string kind, int i)
        {
            switch (kind)
            {
                case "binary": return new byte[] { (byte)i, (byte)(i >> 8), 0x5a };
                case "string": return "key-" + i;
                case "symbol": return new Symbol("key-" + i);
                case "uint": return (uint)(1000 + i);
                case "ulong": return (ulong)(1000 + i);
                case "int": return -1000 - i;
                case "long": return (long)(1L << 40) + i;
                case "timestamp": return new DateTime(638400000000000000L + i * TimeSpan.TicksPerSecond);
                case "uuid": return new Guid(i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
                case "double": return i + 0.5;
                // A decoded list key (and any described key) is kept as its encoding.
                case "list": return new EncodedValue(new byte[] { 0xc0, 5, 2, 0x52, (byte)i, 0xa1, 0 });
                default: return new EncodedValue(new byte[] { 0, 0xa3, 1, 0x64, 0x52, (byte)i });
            }
        }

        // A map body written key by key, so it may hold keys an AmqpMap would merge; value i is uint i.
        private static ByteBuffer RawMap(object[] keys)
        {
            var b = new ByteBuffer(keys.Length * 40 + 16);
            int start = Encoder.BeginComposite(b, FormatCode.Map32);
            for (int i = 0; i < keys.Length; i++)
            {
                Encoder.WriteObject(b, keys[i]);
                Encoder.WriteUInt(b, (uint)i);
            }
            Encoder.EndComposite(b, start, keys.Length * 2, FormatCode.Map8);
            return b;
        }
    }
}

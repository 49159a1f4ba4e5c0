// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device
{
    /// <summary>Structural equality for decoded AMQP values (binary and list compared element by element).</summary>
    internal static class ValueEquality
    {
        public static bool AreEqual(object a, object b)
        {
            if (a == null || b == null) return a == b;
            if (a is byte[] x && b is byte[] y)
            {
                if (x.Length != y.Length) return false;
                for (int i = 0; i < x.Length; i++) if (x[i] != y[i]) return false;
                return true;
            }
            if (a is object[] l && b is object[] m)
            {
                if (l.Length != m.Length) return false;
                for (int i = 0; i < l.Length; i++) if (!AreEqual(l[i], m[i])) return false;
                return true;
            }
            if (a is DescribedValue d && b is DescribedValue e)
                return AreEqual(d.Descriptor, e.Descriptor) && AreEqual(d.Value, e.Value);
            return a.Equals(b);
        }
    }
}

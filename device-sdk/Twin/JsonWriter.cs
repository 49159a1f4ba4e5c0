// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// Builds JSON text into one char buffer that doubles as it fills (nanoFramework has no StringBuilder);
    /// refuses to grow past <see cref="Json.MaxDocumentChars"/>.
    /// </summary>
    internal sealed class JsonWriter
    {
        private char[] buffer = new char[64];
        private int length;

        public int Length => length;

        public override string ToString() => new string(buffer, 0, length);

        public void AppendChar(char c)
        {
            if (length == buffer.Length) Grow(1);
            buffer[length++] = c;
        }

        // Short text only (literals, numbers): nanoCLR walks a string for each s[i] and each s.Length.
        public void AppendRaw(string s)
        {
            int n = s.Length;
            if (length + n > buffer.Length) Grow(n);
            for (int i = 0; i < n; i++) buffer[length++] = s[i];
        }

        /// <summary>Writes <paramref name="value"/>: a string, bool, null, integer or floating number, an
        /// <see cref="ArrayList"/> or a <see cref="TwinCollection"/>.</summary>
        public void AppendValue(object value)
        {
            switch (value)
            {
                case null: AppendRaw("null"); break;
                case string s: AppendString(s); break;
                case bool b: AppendRaw(b ? "true" : "false"); break;
                case TwinCollection t: t.WriteTo(this); break;
                case ArrayList a:
                    AppendChar('[');
                    for (int i = 0; i < a.Count; i++)
                    {
                        if (i > 0) AppendChar(',');
                        AppendValue(a[i]);
                    }
                    AppendChar(']');
                    break;
                case int _:
                case long _:
                case short _:
                case byte _:
                case uint _:
                case ushort _:
                case sbyte _:
                case ulong _:
                    AppendRaw(value.ToString());
                    break;
                case double d: AppendFloat(d); break;
                case float f: AppendFloat(f); break;
                default: throw new ArgumentException("a " + value.GetType().Name + " cannot be written as JSON");
            }
        }

        public void AppendString(string s)
        {
            AppendChar('"');
            // nanoCLR counts a string on each s.Length and walks it from the start for each s[i]: a long one is
            // read once as chars (one native, linear copy), a short one in place with no allocation.
            int n = s.Length;
            char[] chars = n > Utf8.InPlaceChars ? s.ToCharArray() : null;
            for (int i = 0; i < n; i++)
            {
                char c = chars == null ? s[i] : chars[i];
                switch (c)
                {
                    case '"': AppendRaw("\\\""); break;
                    case '\\': AppendRaw("\\\\"); break;
                    case '\n': AppendRaw("\\n"); break;
                    case '\r': AppendRaw("\\r"); break;
                    case '\t': AppendRaw("\\t"); break;
                    default:
                        if (c < ' ')
                        {
                            AppendRaw("\\u00");
                            AppendChar(HexDigit(c >> 4));
                            AppendChar(HexDigit(c & 15));
                        }
                        else
                        {
                            AppendChar(c);
                        }
                        break;
                }
            }
            AppendChar('"');
        }

        private void AppendFloat(double d)
        {
            // JSON has no NaN or infinity (RFC 8259 6).
            if (double.IsNaN(d) || double.IsInfinity(d)) throw new ArgumentException("JSON cannot carry NaN or infinity");
            string s = d.ToString();
            AppendRaw(s);
        }

        private static char HexDigit(int v) => (char)(v < 10 ? '0' + v : 'a' + v - 10);

        private void Grow(int more)
        {
            int need = length + more;
            if (need > Json.MaxDocumentChars)
                throw new ArgumentException("JSON document would exceed " + Json.MaxDocumentChars + " characters");
            int size = buffer.Length * 2;
            while (size < need) size *= 2;
            if (size > Json.MaxDocumentChars) size = Json.MaxDocumentChars;
            var bigger = new char[size];
            for (int i = 0; i < length; i++) bigger[i] = buffer[i];
            buffer = bigger;
        }
    }
}

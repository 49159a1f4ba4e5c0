// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// The small JSON reader the twin needs (RFC 8259): objects become <see cref="TwinCollection"/>, arrays
    /// <see cref="ArrayList"/>, numbers <see cref="long"/> (or <see cref="double"/> with a fraction or exponent),
    /// strings, booleans and null. Bounded: a document over <see cref="MaxDocumentChars"/> UTF-8 bytes or nested
    /// deeper than <see cref="MaxDepth"/> is refused; malformed input gets an <see cref="ArgumentException"/> naming
    /// the offset (a byte offset into the UTF-8).
    /// </summary>
    /// <remarks>
    /// It reads the document's UTF-8 bytes, as they come off the wire: nanoCLR keeps strings as UTF-8, so its
    /// <c>s.Length</c> and <c>s[i]</c> walk the string from its start and a reader indexing a string is quadratic
    /// there. Bytes index in constant time; each string value is decoded once from its byte range (strict UTF-8).
    /// </remarks>
    internal sealed class Json
    {
        /// <summary>Largest document read or written, in UTF-8 bytes (IoT Hub caps desired and reported at 32 KB each).</summary>
        public const int MaxDocumentChars = 32768;

        /// <summary>Deepest nesting accepted (IoT Hub allows 10 levels of properties; the twin wraps them in 2).</summary>
        public const int MaxDepth = 16;

        private readonly byte[] doc;
        private int at;

        private Json(byte[] doc)
        {
            this.doc = doc;
        }

        /// <summary>Reads one JSON value that fills <paramref name="json"/> (whitespace around it allowed).</summary>
        public static object Parse(string json) => Parse(Bytes(json));

        /// <summary>Reads one JSON value from its UTF-8 bytes (whitespace around it allowed).</summary>
        public static object Parse(byte[] json)
        {
            if (json == null) throw new ArgumentNullException(nameof(json));
            if (json.Length > MaxDocumentChars) throw TooLarge(json.Length + " bytes");
            var p = new Json(json);
            p.SkipSpace();
            object v = p.Value(0);
            p.SkipSpace();
            if (p.at != json.Length) throw p.Bad("unexpected text after the value");
            return v;
        }

        /// <summary>Reads a JSON object (a twin document or patch).</summary>
        public static TwinCollection ParseObject(string json) => ParseObject(Bytes(json));

        /// <summary>Reads a JSON object from its UTF-8 bytes.</summary>
        public static TwinCollection ParseObject(byte[] json)
        {
            var o = Parse(json) as TwinCollection;
            if (o == null) throw new ArgumentException("JSON document is not an object");
            return o;
        }

        /// <summary>True when <paramref name="json"/> is one well-formed JSON value within the limits.</summary>
        public static bool IsValid(string json)
        {
            try
            {
                Parse(json);
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        /// <summary>The UTF-8 of JSON text given as a string (converted once; the size checked first).</summary>
        internal static byte[] Bytes(string json)
        {
            if (json == null) throw new ArgumentNullException(nameof(json));
            // Never fewer bytes than characters: a string over the limit is refused before it is converted.
            if (json.Length > MaxDocumentChars) throw TooLarge(json.Length + " characters");
            return TwinWire.Utf8Bytes(json);
        }

        private static ArgumentException TooLarge(string size) =>
            new ArgumentException("JSON document is " + size + "; at most " + MaxDocumentChars + " bytes are accepted");

        private object Value(int depth)
        {
            if (at >= doc.Length) throw Bad("a value is missing");
            int c = doc[at];
            switch (c)
            {
                case '{': return ObjectValue(depth + 1);
                case '[': return ArrayValue(depth + 1);
                case '"': return StringValue();
                case 't': Word("true"); return true;
                case 'f': Word("false"); return false;
                case 'n': Word("null"); return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return NumberValue();
                    throw Bad(c < 0x80 ? "unexpected character '" + (char)c + "'" : "unexpected byte 0x" + c.ToString("X2"));
            }
        }

        private TwinCollection ObjectValue(int depth)
        {
            if (depth > MaxDepth) throw Bad("nested deeper than " + MaxDepth + " levels");
            at++;
            var o = new TwinCollection();
            SkipSpace();
            if (Peek() == '}')
            {
                at++;
                return o;
            }
            while (true)
            {
                SkipSpace();
                if (Peek() != '"') throw Bad("a member name must be a string");
                string name = StringValue();
                SkipSpace();
                if (Peek() != ':') throw Bad("':' expected after member name");
                at++;
                SkipSpace();
                o.Set(name, Value(depth));
                SkipSpace();
                int c = Peek();
                at++;
                if (c == '}') return o;
                if (c != ',') throw Bad("',' or '}' expected");
            }
        }

        private ArrayList ArrayValue(int depth)
        {
            if (depth > MaxDepth) throw Bad("nested deeper than " + MaxDepth + " levels");
            at++;
            var a = new ArrayList();
            SkipSpace();
            if (Peek() == ']')
            {
                at++;
                return a;
            }
            while (true)
            {
                SkipSpace();
                a.Add(Value(depth));
                SkipSpace();
                int c = Peek();
                at++;
                if (c == ']') return a;
                if (c != ',') throw Bad("',' or ']' expected");
            }
        }

        private string StringValue()
        {
            int start = ++at, c, n;
            // Fast path: no escapes, the bytes decoded at once.
            while (at < doc.Length && (c = doc[at]) != '"' && c != '\\' && c >= ' ') at++;
            if (at < doc.Length && doc[at] == '"') return Text(doc, start, at++ - start, start);
            // Unescaped, a string is never longer than its JSON: a buffer up to the closing quote holds it.
            for (n = at; n < doc.Length && doc[n] != '"'; n += doc[n] == '\\' ? 2 : 1) { }
            var buf = new byte[(n < doc.Length ? n : doc.Length) - start];
            n = at - start;
            Array.Copy(doc, start, buf, 0, n);
            while (true)
            {
                if (at >= doc.Length) throw Bad("unterminated string");
                c = doc[at++];
                if (c == '"') return Text(buf, 0, n, start);
                if (c < ' ') throw Bad("control character in a string");
                if (c != '\\')
                {
                    buf[n++] = (byte)c; // any byte of a UTF-8 sequence: checked when the string is decoded
                    continue;
                }
                if (at >= doc.Length) throw Bad("unterminated escape");
                c = doc[at++];
                int k = "\"\\/bfnrtu".IndexOf((char)c);
                if (k < 0) throw Bad("invalid escape '\\" + (char)c + "'");
                c = k < 8 ? "\"\\/\b\f\n\r\t"[k] : Unicode();
                // The character's UTF-8 (RFC 3629): a lead byte of extra + 1 high ones, then 6 bits a byte.
                int extra = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
                buf[n++] = (byte)(extra == 0 ? c : (0xFF80 >> extra) | (c >> (6 * extra)));
                for (k = extra - 1; k >= 0; k--) buf[n++] = (byte)(0x80 | ((c >> (6 * k)) & 0x3F));
            }
        }

        // The text of a string's bytes; invalid UTF-8 is malformed JSON at the string's opening quote.
        private string Text(byte[] bytes, int from, int count, int start)
        {
            try
            {
                return Utf8.Decode(bytes, from, count);
            }
            catch (AmqpException e)
            {
                at = start - 1;
                string why = e.Description;
                throw Bad("invalid text in the string that starts here: " + why.Substring(why.IndexOf(':') + 2));
            }
        }

        // \uXXXX: an escaped high surrogate followed by an escaped low one is one character past the BMP (RFC 8259 7);
        // a lone half has no UTF-8 form and reads as U+FFFD (as a nanoFramework string holds it).
        private int Unicode()
        {
            int v = Hex4();
            if (v >> 10 == 0x36 && at + 1 < doc.Length && doc[at] == '\\' && doc[at + 1] == 'u')
            {
                int back = at;
                at += 2;
                int low = Hex4();
                if (low >> 10 == 0x37) return 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00);
                at = back;
            }
            return v >> 11 == 0x1B ? 0xFFFD : v;
        }

        private int Hex4()
        {
            if (at + 4 > doc.Length) throw Bad("truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++)
            {
                int c = doc[at++];
                int d = "0123456789abcdef".IndexOf((char)(c >= 'A' ? c | 0x20 : c)); // A-F as a-f
                if (d < 0) throw Bad("invalid \\u escape");
                v = v * 16 + d;
            }
            return v;
        }

        private object NumberValue()
        {
            int start = at;
            bool negative = Peek() == '-';
            if (negative) at++;
            int digitsStart = at;
            Digits();
            int digits = at - digitsStart;
            if (digits == 0) throw Bad("digits expected");
            if (digits > 1 && doc[digitsStart] == '0') throw Bad("leading zero in a number");
            bool integer = true;
            if (Peek() == '.')
            {
                integer = false;
                at++;
                if (Digits() == 0) throw Bad("digits expected after '.'");
            }
            if (Peek() == 'e' || Peek() == 'E')
            {
                integer = false;
                at++;
                if (Peek() == '+' || Peek() == '-') at++;
                if (Digits() == 0) throw Bad("digits expected in the exponent");
            }
            if (integer && digits <= 18)
            {
                long v = 0;
                for (int i = digitsStart; i < at; i++) v = v * 10 + (doc[i] - '0');
                return negative ? -v : v;
            }
            try
            {
                return double.Parse(Utf8.Decode(doc, start, at - start)); // ASCII: it decodes
            }
            catch (Exception)
            {
                throw Bad("number out of range");
            }
        }

        // Skips decimal digits; returns how many.
        private int Digits()
        {
            int from = at;
            while (at < doc.Length && doc[at] >= '0' && doc[at] <= '9') at++;
            return at - from;
        }

        private void Word(string word)
        {
            int n = word.Length;
            if (at + n > doc.Length) throw Bad("unexpected word");
            for (int i = 0; i < n; i++)
                if (doc[at + i] != word[i]) throw Bad("unexpected word");
            at += n;
        }

        private int Peek() => at < doc.Length ? doc[at] : 0;

        private void SkipSpace()
        {
            while (at < doc.Length)
            {
                int c = doc[at];
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                at++;
            }
        }

        private ArgumentException Bad(string what) => new ArgumentException("malformed JSON at offset " + at + ": " + what);
    }
}

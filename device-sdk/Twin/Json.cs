// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// The small JSON reader the twin needs (RFC 8259): objects become <see cref="TwinCollection"/>, arrays
    /// <see cref="ArrayList"/>, numbers <see cref="long"/> (or <see cref="double"/> with a fraction or exponent),
    /// strings, booleans and null. Bounded: a document over <see cref="MaxDocumentChars"/> or nested deeper than
    /// <see cref="MaxDepth"/> is refused; malformed input gets an <see cref="ArgumentException"/> naming the offset.
    /// </summary>
    internal sealed class Json
    {
        /// <summary>Largest document read or written (IoT Hub caps desired and reported at 32 KB each).</summary>
        public const int MaxDocumentChars = 32768;

        /// <summary>Deepest nesting accepted (IoT Hub allows 10 levels of properties; the twin wraps them in 2).</summary>
        public const int MaxDepth = 16;

        private readonly string text;
        private int at;

        private Json(string text)
        {
            this.text = text;
        }

        /// <summary>Reads one JSON value that fills <paramref name="json"/> (whitespace around it allowed).</summary>
        public static object Parse(string json)
        {
            if (json == null) throw new ArgumentNullException(nameof(json));
            if (json.Length > MaxDocumentChars)
                throw new ArgumentException("JSON document is " + json.Length + " characters; at most " + MaxDocumentChars + " are accepted");
            var p = new Json(json);
            p.SkipSpace();
            object v = p.Value(0);
            p.SkipSpace();
            if (p.at != json.Length) throw p.Bad("unexpected text after the value");
            return v;
        }

        /// <summary>Reads a JSON object (a twin document or patch).</summary>
        public static TwinCollection ParseObject(string json)
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

        private object Value(int depth)
        {
            if (at >= text.Length) throw Bad("a value is missing");
            char c = text[at];
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
                    throw Bad("unexpected character '" + c + "'");
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
                char c = Peek();
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
                char c = Peek();
                at++;
                if (c == ']') return a;
                if (c != ',') throw Bad("',' or ']' expected");
            }
        }

        private string StringValue()
        {
            at++;
            int start = at;
            // Fast path: no escapes, one substring.
            while (at < text.Length && text[at] != '"' && text[at] != '\\' && text[at] >= ' ') at++;
            if (at < text.Length && text[at] == '"')
                return text.Substring(start, (at++) - start);
            var w = new JsonWriter();
            w.AppendRaw(text.Substring(start, at - start));
            while (true)
            {
                if (at >= text.Length) throw Bad("unterminated string");
                char c = text[at++];
                if (c == '"') return w.ToString();
                if (c < ' ') throw Bad("control character in a string");
                if (c != '\\')
                {
                    w.AppendChar(c);
                    continue;
                }
                if (at >= text.Length) throw Bad("unterminated escape");
                char e = text[at++];
                switch (e)
                {
                    case '"': w.AppendChar('"'); break;
                    case '\\': w.AppendChar('\\'); break;
                    case '/': w.AppendChar('/'); break;
                    case 'b': w.AppendChar('\b'); break;
                    case 'f': w.AppendChar('\f'); break;
                    case 'n': w.AppendChar('\n'); break;
                    case 'r': w.AppendChar('\r'); break;
                    case 't': w.AppendChar('\t'); break;
                    case 'u': w.AppendChar((char)Hex4()); break;
                    default: throw Bad("invalid escape '\\" + e + "'");
                }
            }
        }

        private int Hex4()
        {
            if (at + 4 > text.Length) throw Bad("truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++)
            {
                char c = text[at++];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
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
            while (at < text.Length && text[at] >= '0' && text[at] <= '9') at++;
            int digits = at - digitsStart;
            if (digits == 0) throw Bad("digits expected");
            if (digits > 1 && text[digitsStart] == '0') throw Bad("leading zero in a number");
            bool integer = true;
            if (Peek() == '.')
            {
                integer = false;
                at++;
                int f = at;
                while (at < text.Length && text[at] >= '0' && text[at] <= '9') at++;
                if (at == f) throw Bad("digits expected after '.'");
            }
            if (Peek() == 'e' || Peek() == 'E')
            {
                integer = false;
                at++;
                if (Peek() == '+' || Peek() == '-') at++;
                int x = at;
                while (at < text.Length && text[at] >= '0' && text[at] <= '9') at++;
                if (at == x) throw Bad("digits expected in the exponent");
            }
            if (integer && digits <= 18)
            {
                long v = 0;
                for (int i = digitsStart; i < at; i++) v = v * 10 + (text[i] - '0');
                return negative ? -v : v;
            }
            try
            {
                return double.Parse(text.Substring(start, at - start));
            }
            catch (Exception)
            {
                throw Bad("number out of range");
            }
        }

        private void Word(string word)
        {
            if (at + word.Length > text.Length || text.Substring(at, word.Length) != word) throw Bad("unexpected word");
            at += word.Length;
        }

        private char Peek() => at < text.Length ? text[at] : '\0';

        private void SkipSpace()
        {
            while (at < text.Length)
            {
                char c = text[at];
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                at++;
            }
        }

        private ArgumentException Bad(string what) => new ArgumentException("malformed JSON at offset " + at + ": " + what);
    }
}

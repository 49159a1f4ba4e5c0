// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>
    /// The little JSON reading DPS answers need (RFC 8259): the raw text of one member of an object, and a string
    /// value unescaped. No tree is built, so the optional <c>payload</c> is handed to the application as the exact
    /// text the service sent. Malformed input gets an <see cref="ArgumentException"/> naming the offset.
    /// </summary>
    internal static class DpsJson
    {
        /// <summary>Largest answer read (DPS answers are a few hundred bytes; a custom payload is at most a few KB).</summary>
        public const int MaxDocumentChars = 16384;

        private const int MaxDepth = 16;

        /// <summary>The raw JSON text of member <paramref name="name"/> of the object <paramref name="json"/>; null when absent.</summary>
        public static string Member(string json, string name)
        {
            if (json == null) return null;
            if (json.Length > MaxDocumentChars) throw new ArgumentException("the JSON answer is " + json.Length + " characters; at most " + MaxDocumentChars + " are read");
            int at = SkipSpace(json, 0);
            if (at >= json.Length || json[at] != '{') throw Bad(at, "an object");
            at = SkipSpace(json, at + 1);
            if (at < json.Length && json[at] == '}') return null;
            while (true)
            {
                if (at >= json.Length || json[at] != '"') throw Bad(at, "a member name");
                int keyEnd = EndOfString(json, at);
                string key = Unescape(json, at, keyEnd);
                at = SkipSpace(json, keyEnd);
                if (at >= json.Length || json[at] != ':') throw Bad(at, "':'");
                int start = SkipSpace(json, at + 1);
                int end = EndOfValue(json, start, 0);
                if (key == name) return json.Substring(start, end - start);
                at = SkipSpace(json, end);
                if (at < json.Length && json[at] == ',')
                {
                    at = SkipSpace(json, at + 1);
                    continue;
                }
                if (at < json.Length && json[at] == '}') return null;
                throw Bad(at, "',' or '}'");
            }
        }

        /// <summary>The value of a raw JSON string (<c>"..."</c>); null for anything else, JSON null included.</summary>
        public static string AsString(string raw)
        {
            if (raw == null || raw.Length < 2 || raw[0] != '"') return null;
            return Unescape(raw, 0, EndOfString(raw, 0));
        }

        /// <summary>A string member of an object, or null when absent or not a string.</summary>
        public static string StringMember(string json, string name) => AsString(Member(json, name));

        /// <summary>The raw text when it is an object (<c>{...}</c>), else null.</summary>
        public static string AsObject(string raw) => raw != null && raw.Length > 0 && raw[0] == '{' ? raw : null;

        private static int SkipSpace(string s, int at)
        {
            while (at < s.Length && (s[at] == ' ' || s[at] == '\t' || s[at] == '\r' || s[at] == '\n')) at++;
            return at;
        }

        // Index just past the value that starts at 'at'.
        private static int EndOfValue(string s, int at, int depth)
        {
            if (depth > MaxDepth) throw new ArgumentException("the JSON answer nests deeper than " + MaxDepth + " levels");
            if (at >= s.Length) throw Bad(at, "a value");
            char c = s[at];
            if (c == '"') return EndOfString(s, at);
            if (c == '{' || c == '[')
            {
                char close = c == '{' ? '}' : ']';
                at = SkipSpace(s, at + 1);
                if (at < s.Length && s[at] == close) return at + 1;
                while (true)
                {
                    if (c == '{')
                    {
                        if (at >= s.Length || s[at] != '"') throw Bad(at, "a member name");
                        at = SkipSpace(s, EndOfString(s, at));
                        if (at >= s.Length || s[at] != ':') throw Bad(at, "':'");
                        at = SkipSpace(s, at + 1);
                    }
                    at = SkipSpace(s, EndOfValue(s, at, depth + 1));
                    if (at < s.Length && s[at] == ',')
                    {
                        at = SkipSpace(s, at + 1);
                        continue;
                    }
                    if (at < s.Length && s[at] == close) return at + 1;
                    throw Bad(at, "',' or '" + close + "'");
                }
            }
            int start = at;
            while (at < s.Length && IsScalarChar(s[at])) at++;
            if (at == start) throw Bad(at, "a value");
            return at;
        }

        // Index just past the closing quote of the string that starts at 'at'.
        private static int EndOfString(string s, int at)
        {
            for (int i = at + 1; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '\\') i++;
                else if (c == '"') return i + 1;
                else if (c < ' ') throw Bad(i, "no control character inside a string");
            }
            throw Bad(s.Length, "the end of a string");
        }

        private static string Unescape(string s, int start, int end)
        {
            if (s.IndexOf('\\', start + 1) < 0 || s.IndexOf('\\', start + 1) >= end - 1) return s.Substring(start + 1, end - start - 2);
            var chars = new char[end - start];
            int n = 0;
            for (int i = start + 1; i < end - 1; i++)
            {
                char c = s[i];
                if (c != '\\')
                {
                    chars[n++] = c;
                    continue;
                }
                char e = s[++i];
                switch (e)
                {
                    case 'n': chars[n++] = '\n'; break;
                    case 'r': chars[n++] = '\r'; break;
                    case 't': chars[n++] = '\t'; break;
                    case 'b': chars[n++] = '\b'; break;
                    case 'f': chars[n++] = '\f'; break;
                    case 'u':
                        if (i + 4 >= end) throw Bad(i, "four hex digits");
                        chars[n++] = (char)Hex4(s, i + 1);
                        i += 4;
                        break;
                    default: chars[n++] = e; break;
                }
            }
            return new string(chars, 0, n);
        }

        // Letters, digits and signs: true/false/null and numbers (their exact form is not checked: nothing reads them).
        private static bool IsScalarChar(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';

        private static int Hex4(string s, int at)
        {
            int v = 0;
            for (int i = at; i < at + 4; i++)
            {
                char c = s[i];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0) throw Bad(i, "a hex digit");
                v = v * 16 + d;
            }
            return v;
        }

        private static ArgumentException Bad(int at, string expected) =>
            new ArgumentException("the JSON answer is malformed at offset " + at + ": expected " + expected);
    }
}

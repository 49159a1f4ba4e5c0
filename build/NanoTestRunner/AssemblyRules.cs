// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
//
// What the real nanoFramework tools would refuse, checked on desktop before a test assembly runs.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Xml.Linq;

namespace IotHubAmqp.Build
{
    internal static class AssemblyRules
    {
        /// <summary>One .pe's string table holds at most 64 KiB (metadata processor).</summary>
        public const int PeStringTableLimit = 64 * 1024;

        /// <summary>The runner refuses an assembly above this: a quarter of the table left for growth and for what the estimate misses.</summary>
        public const int PeStringTableBudget = PeStringTableLimit * 3 / 4;

        /// <summary>Why the nanoFramework launcher would run none of this assembly's tests, or null.</summary>
        public static string CheckNfproj(string assemblyPath)
        {
            string record = Path.ChangeExtension(assemblyPath, ".nfproj-path");
            if (!File.Exists(record))
                return "no " + Path.GetFileName(record) + " beside it: the test project must import build/NanoTestProject.targets and name its .nfproj";
            string nfproj = File.ReadAllText(record).Trim();
            if (!File.Exists(nfproj)) return "its .nfproj " + nfproj + " does not exist";
            XNamespace ns = "http://schemas.microsoft.com/developer/msbuild/2003";
            string name = null;
            foreach (XElement e in XDocument.Load(nfproj).Descendants(ns + "AssemblyName")) name = e.Value.Trim();
            if (name != "NFUnitTest")
                return nfproj + " names the assembly '" + name + "'; nanoFramework's unit-test launcher runs only NFUnitTest (zero tests would run, nothing reported)";
            return null;
        }

        /// <summary>
        /// Bytes the .pe string table would need: every distinct type, namespace, method, field, member-reference and
        /// assembly name and every string literal, as UTF-8 with a terminating zero. The metadata processor also
        /// reuses strings of its built-in table, so this errs high.
        /// </summary>
        public static int MeasureStringTable(string assemblyPath)
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new PEReader(stream);
            MetadataReader md = pe.GetMetadataReader();
            var strings = new HashSet<string>(StringComparer.Ordinal);
            foreach (var h in md.TypeDefinitions) { var t = md.GetTypeDefinition(h); strings.Add(md.GetString(t.Name)); strings.Add(md.GetString(t.Namespace)); }
            foreach (var h in md.TypeReferences) { var t = md.GetTypeReference(h); strings.Add(md.GetString(t.Name)); strings.Add(md.GetString(t.Namespace)); }
            foreach (var h in md.MethodDefinitions) strings.Add(md.GetString(md.GetMethodDefinition(h).Name));
            foreach (var h in md.FieldDefinitions) strings.Add(md.GetString(md.GetFieldDefinition(h).Name));
            foreach (var h in md.MemberReferences) strings.Add(md.GetString(md.GetMemberReference(h).Name));
            foreach (var h in md.AssemblyReferences) strings.Add(md.GetString(md.GetAssemblyReference(h).Name));
            if (md.GetHeapSize(HeapIndex.UserString) > 1)
            {
                var us = MetadataTokens.UserStringHandle(1);
                while (!us.IsNil)
                {
                    strings.Add(md.GetUserString(us));
                    us = md.GetNextHandle(us);
                }
            }
            strings.Remove("");
            int bytes = 0;
            foreach (string s in strings) bytes += Encoding.UTF8.GetByteCount(s) + 1;
            return bytes;
        }

        /// <summary>Why nanoFramework's tools would refuse this [DataRow], or null.</summary>
        public static string CheckDataRow(object[] row)
        {
            if (row == null) return "a [DataRow] with a null argument list: the metadata processor throws ArgumentNullException";
            for (int i = 0; i < row.Length; i++)
            {
                object v = row[i];
                if (v == null) return "[DataRow] argument " + i + " is null: nanoFramework's metadata processor throws ArgumentNullException on it";
                if (v is char) return "[DataRow] argument " + i + " is a char: nanoFramework's test launcher throws reading it and silently skips every later test class (pass a string or an int)";
                if (v is Array) return "[DataRow] argument " + i + " is an array: nanoFramework's test launcher throws reading it and silently skips every later test class (pass a hex string)";
            }
            return null;
        }
    }
}

// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
//
// nanoCLR 1.x has no generics, yet nanoFramework's mscorlib 1.17 declares Action<T>, EventHandler<T>
// and friends, so the C# compiler accepts code that fails to load on a device. This check reads the
// assembly's metadata and lists every generic definition or instantiation it finds.
// Built two ways: as the command-line tool below (nano.props runs it after every device build) and,
// with NANO_IL_CHECK_LIBRARY defined, as plain code that the tests call on a planted generic.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace IotHubAmqp.Build
{
    public static class NanoIlChecker
    {
        /// <summary>Returns one line per generic use found in the assembly at <paramref name="path"/>; empty when it is clean.</summary>
        public static List<string> FindGenerics(string path)
        {
            var problems = new List<string>();
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            MetadataReader md = pe.GetMetadataReader();

            for (int i = 1; i <= md.GetTableRowCount(TableIndex.GenericParam); i++)
            {
                var h = MetadataTokens.GenericParameterHandle(i);
                var p = md.GetGenericParameter(h);
                problems.Add($"generic parameter '{md.GetString(p.Name)}' declared on {Describe(md, p.Parent)}");
            }
            for (int i = 1; i <= md.GetTableRowCount(TableIndex.MethodSpec); i++)
            {
                var h = MetadataTokens.MethodSpecificationHandle(i);
                var spec = md.GetMethodSpecification(h);
                problems.Add($"generic method instantiation of {Describe(md, spec.Method)}");
            }

            var provider = new Provider(md);
            for (int i = 1; i <= md.GetTableRowCount(TableIndex.TypeSpec); i++)
            {
                var h = MetadataTokens.TypeSpecificationHandle(i);
                Decode(problems, provider, "type spec", () => md.GetTypeSpecification(h).DecodeSignature(provider, null));
            }
            foreach (var th in md.TypeDefinitions)
            {
                var type = md.GetTypeDefinition(th);
                string typeName = md.GetString(type.Name);
                foreach (var fh in type.GetFields())
                {
                    var f = md.GetFieldDefinition(fh);
                    Decode(problems, provider, $"field {typeName}.{md.GetString(f.Name)}", () => f.DecodeSignature(provider, null));
                }
                foreach (var mh in type.GetMethods())
                {
                    var m = md.GetMethodDefinition(mh);
                    string where = $"method {typeName}.{md.GetString(m.Name)}";
                    Decode(problems, provider, where, () => m.DecodeSignature(provider, null).ReturnType);
                    if (m.RelativeVirtualAddress != 0)
                    {
                        var body = pe.GetMethodBody(m.RelativeVirtualAddress);
                        if (!body.LocalSignature.IsNil)
                        {
                            var sig = md.GetStandaloneSignature(body.LocalSignature);
                            Decode(problems, provider, where + " locals", () => sig.DecodeLocalSignature(provider, null).Length.ToString());
                        }
                    }
                }
                foreach (var ph in type.GetProperties())
                {
                    var p = md.GetPropertyDefinition(ph);
                    Decode(problems, provider, $"property {typeName}.{md.GetString(p.Name)}", () => p.DecodeSignature(provider, null).ReturnType);
                }
            }
            foreach (var h in md.MemberReferences)
            {
                var r = md.GetMemberReference(h);
                string where = $"reference to {md.GetString(r.Name)}";
                if (r.GetKind() == MemberReferenceKind.Method)
                    Decode(problems, provider, where, () => r.DecodeMethodSignature(provider, null).ReturnType);
                else
                    Decode(problems, provider, where, () => r.DecodeFieldSignature(provider, null));
            }
            return problems;
        }

        /// <summary>
        /// The sum of the IL method-body sizes of the assembly at <paramref name="path"/>: the flash proxy the
        /// benchmarks report (nanoFramework deploys whole assemblies, so every body counts).
        /// </summary>
        public static long IlBytes(string path)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            MetadataReader md = pe.GetMetadataReader();
            long total = 0;
            foreach (var mh in md.MethodDefinitions)
            {
                int rva = md.GetMethodDefinition(mh).RelativeVirtualAddress;
                if (rva != 0) total += pe.GetMethodBody(rva).Size;
            }
            return total;
        }

        /// <summary>The error for an assembly whose IL is over <paramref name="budget"/> bytes, or null.</summary>
        public static string CheckBudget(string path, long budget)
        {
            long il = IlBytes(path);
            if (il <= budget) return null;
            return $"{Path.GetFileName(path)} has {il} bytes of IL, over its flash budget of {budget} (NanoIlBudget): " +
                   "trim it, or move the feature to an optional assembly, or raise the budget in the project on purpose";
        }

        private static void Decode(List<string> problems, Provider provider, string where, Func<string> decode)
        {
            provider.Found = null;
            decode();
            if (provider.Found != null)
                problems.Add($"{where} uses generic type {provider.Found}");
        }

        private static string Describe(MetadataReader md, EntityHandle h)
        {
            switch (h.Kind)
            {
                case HandleKind.TypeDefinition: return "type " + md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)h).Name);
                case HandleKind.MethodDefinition: return "method " + md.GetString(md.GetMethodDefinition((MethodDefinitionHandle)h).Name);
                case HandleKind.MemberReference: return "method " + md.GetString(md.GetMemberReference((MemberReferenceHandle)h).Name);
                default: return h.Kind.ToString();
            }
        }

        // Decodes signatures to names and remembers the first generic instantiation or parameter seen.
        private sealed class Provider : ISignatureTypeProvider<string, object>
        {
            private readonly MetadataReader md;
            public string Found;
            public Provider(MetadataReader md) { this.md = md; }

            public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
            {
                string name = genericType + "<" + string.Join(",", typeArguments) + ">";
                Found ??= name;
                return name;
            }
            public string GetGenericMethodParameter(object ctx, int index) { Found ??= "!!" + index; return "!!" + index; }
            public string GetGenericTypeParameter(object ctx, int index) { Found ??= "!" + index; return "!" + index; }
            public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";
            public string GetByReferenceType(string elementType) => elementType + "&";
            public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
            public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
            public string GetPinnedType(string elementType) => elementType;
            public string GetPointerType(string elementType) => elementType + "*";
            public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
            public string GetSZArrayType(string elementType) => elementType + "[]";
            public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => md.GetString(md.GetTypeDefinition(handle).Name);
            public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => md.GetString(md.GetTypeReference(handle).Name);
            public string GetTypeFromSpecification(MetadataReader reader, object ctx, TypeSpecificationHandle handle, byte rawTypeKind) => md.GetTypeSpecification(handle).DecodeSignature(this, ctx);
        }
    }

#if !NANO_IL_CHECK_LIBRARY
    internal static class Program
    {
        // Usage: NanoIlCheck <assembly> [budget]. Prints MSBuild-style errors and exits 1 when generics are found or
        // the IL is over the budget (a device project's NanoIlBudget property).
        private static int Main(string[] args)
        {
            if (args.Length != 1 && args.Length != 2)
            {
                Console.Error.WriteLine("usage: NanoIlCheck <assembly.dll> [IL budget in bytes]");
                return 2;
            }
            var problems = NanoIlChecker.FindGenerics(args[0]);
            foreach (var p in problems)
                Console.Error.WriteLine($"{args[0]}: error NANO001: nanoCLR 1.x cannot load generics: {p}");
            string over = args.Length == 2 && args[1].Length > 0 ? NanoIlChecker.CheckBudget(args[0], long.Parse(args[1])) : null;
            if (over != null) Console.Error.WriteLine($"{args[0]}: error NANO002: {over}");
            return problems.Count == 0 && over == null ? 0 : 1;
        }
    }
#endif
}

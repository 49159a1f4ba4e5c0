// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Reflection;
using System.Runtime.CompilerServices;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// Diagnostics: walks the object graph reachable from a root through instance fields and estimates the bytes
    /// per type (64-bit layout: 16-byte header, fields by size, 8-byte alignment; arrays 24 bytes + elements).
    /// An estimate, used to find where a client's retained heap goes, not to report it.
    /// </summary>
    internal static class HeapWalk
    {
        public static List<(string Type, long Bytes, int Count)> ByType(object root)
        {
            var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
            var totals = new Dictionary<string, (long Bytes, int Count)>();
            var stack = new Stack<object>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                object o = stack.Pop();
                if (o == null || !seen.Add(o)) continue;
                Type t = o.GetType();
                if (o is MemberInfo || o is Assembly || o is Module || t.FullName!.StartsWith("System.Reflection", StringComparison.Ordinal)) continue;
                // Process-wide structures (the timer queue, the socket event engine) belong to no one client.
                if (t.FullName.StartsWith("System.Threading.TimerQueue", StringComparison.Ordinal) && t.Name != "TimerQueueTimer") continue;
                if (t.FullName.StartsWith("System.Net.Sockets.SocketAsyncEngine", StringComparison.Ordinal)) continue;
                long size;
                if (o is string s)
                {
                    size = Align(22 + 2L * s.Length);
                }
                else if (o is Array a)
                {
                    Type e = t.GetElementType()!;
                    size = Align(24 + (long)a.Length * ElementSize(e));
                    if (!e.IsValueType)
                    {
                        foreach (object item in a) if (item != null) stack.Push(item);
                    }
                    else if (!e.IsPrimitive && !e.IsEnum)
                    {
                        foreach (object item in a) Fields(item, e, stack);
                    }
                }
                else
                {
                    size = Align(Math.Max(24, 16 + FieldBytes(t)));
                    Fields(o, t, stack);
                }
                string name = t.IsGenericType ? t.Name : t.FullName;
                totals.TryGetValue(name, out var v);
                totals[name] = (v.Bytes + size, v.Count + 1);
            }
            return totals.Select(kv => (kv.Key, kv.Value.Bytes, kv.Value.Count)).OrderByDescending(x => x.Bytes).ToList();
        }

        private static void Fields(object o, Type t, Stack<object> stack)
        {
            for (Type c = t; c != null; c = c.BaseType)
            {
                foreach (FieldInfo f in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (f.FieldType.IsPointer || f.FieldType.IsByRef || f.FieldType.IsByRefLike) continue;
                    if (c.Name == "TimerQueueTimer" && (f.Name == "_next" || f.Name == "_prev")) continue;
                    object v;
                    try
                    {
                        v = f.GetValue(o);
                    }
                    catch (Exception)
                    {
                        continue;
                    }
                    if (v == null) continue;
                    if (!f.FieldType.IsValueType) stack.Push(v);
                    else if (!f.FieldType.IsPrimitive && !f.FieldType.IsEnum) Fields(v, f.FieldType, stack);
                }
            }
        }

        private static long FieldBytes(Type t)
        {
            long n = 0;
            for (Type c = t; c != null; c = c.BaseType)
                foreach (FieldInfo f in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    n += ElementSize(f.FieldType);
            return n;
        }

        private static long ElementSize(Type e)
        {
            if (!e.IsValueType) return 8;
            if (e.IsEnum) e = Enum.GetUnderlyingType(e);
            if (e == typeof(bool) || e == typeof(byte) || e == typeof(sbyte)) return 1;
            if (e == typeof(short) || e == typeof(ushort) || e == typeof(char)) return 2;
            if (e == typeof(int) || e == typeof(uint) || e == typeof(float)) return 4;
            if (e.IsPrimitive) return 8;
            try
            {
                return (long)typeof(Unsafe).GetMethod("SizeOf")!.MakeGenericMethod(e).Invoke(null, null)!.GetHashCode();
            }
            catch (Exception)
            {
                return 8;
            }
        }

        private static long Align(long n) => (n + 7) & ~7L;
    }
}

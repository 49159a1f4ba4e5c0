// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// A JSON object of twin properties, as in nanoFramework.Azure.Devices: read the desired properties the hub
    /// sent, or build a reported patch. Values are strings, booleans, null, <see cref="long"/> or <see cref="double"/>
    /// numbers, nested <see cref="TwinCollection"/> objects and <see cref="ArrayList"/> arrays.
    /// </summary>
    public sealed class TwinCollection
    {
        private readonly ArrayList names = new ArrayList();
        private readonly ArrayList values = new ArrayList();

        /// <summary>An empty collection (to build a reported patch).</summary>
        public TwinCollection()
        {
        }

        /// <summary>Reads a JSON object; throws <see cref="ArgumentException"/> naming the fault when it is malformed or too large.</summary>
        public TwinCollection(string json)
        {
            TwinCollection parsed = Json.ParseObject(json);
            for (int i = 0; i < parsed.names.Count; i++)
            {
                names.Add(parsed.names[i]);
                values.Add(parsed.values[i]);
            }
        }

        /// <summary>How many properties the object has (<c>$version</c> and <c>$metadata</c> included).</summary>
        public int Count => names.Count;

        /// <summary>The value of <paramref name="name"/>, or null when absent; setting adds or replaces it.</summary>
        public object this[string name]
        {
            get
            {
                int i = names.IndexOf(name);
                return i < 0 ? null : values[i];
            }
            set => Set(name, value);
        }

        /// <summary>The object's <c>$version</c>, or -1 when it has none.</summary>
        public long Version => this["$version"] is long v ? v : -1;

        /// <summary>True when the object has a property <paramref name="name"/>.</summary>
        public bool Contains(string name) => names.IndexOf(name) >= 0;

        /// <summary>Adds or replaces a property (the value as in the class summary; null sends JSON null, which deletes a reported property).</summary>
        public void Add(string name, object value) => Set(name, value);

        /// <summary>Removes a property; false when it was absent.</summary>
        public bool Remove(string name)
        {
            int i = names.IndexOf(name);
            if (i < 0) return false;
            names.RemoveAt(i);
            values.RemoveAt(i);
            return true;
        }

        /// <summary>The name of the property at <paramref name="index"/> (in document order).</summary>
        public string NameAt(int index) => (string)names[index];

        /// <summary>The value at a dotted path (<c>"config.interval"</c>), or null when any step is absent or not an object.</summary>
        public object GetByPath(string path)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            TwinCollection node = this;
            int start = 0;
            while (true)
            {
                int dot = path.IndexOf('.', start);
                string step = dot < 0 ? path.Substring(start) : path.Substring(start, dot - start);
                object v = node[step];
                if (dot < 0) return v;
                node = v as TwinCollection;
                if (node == null) return null;
                start = dot + 1;
            }
        }

        /// <summary>The object as JSON text.</summary>
        public string ToJson()
        {
            var w = new JsonWriter();
            WriteTo(w);
            return w.ToString();
        }

        /// <inheritdoc/>
        public override string ToString() => ToJson();

        internal void Set(string name, object value)
        {
            if (name == null) throw new ArgumentNullException(nameof(name));
            int i = names.IndexOf(name);
            if (i >= 0) values[i] = value;
            else
            {
                names.Add(name);
                values.Add(value);
            }
        }

        internal void WriteTo(JsonWriter w)
        {
            w.AppendChar('{');
            for (int i = 0; i < names.Count; i++)
            {
                if (i > 0) w.AppendChar(',');
                w.AppendString((string)names[i]);
                w.AppendChar(':');
                w.AppendValue(values[i]);
            }
            w.AppendChar('}');
        }
    }
}

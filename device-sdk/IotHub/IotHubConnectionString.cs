// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// A device (or module) connection string:
    /// <c>HostName=...;DeviceId=...;SharedAccessKey=...</c>, optionally <c>ModuleId</c>, <c>GatewayHostName</c>,
    /// <c>SharedAccessKeyName</c>, or <c>SharedAccessSignature</c> instead of a key, or <c>x509=true</c> (no key:
    /// the device proves its identity with its certificate, given to the transport factory). Errors name the
    /// field and never repeat a key or token.
    /// </summary>
    public sealed class IotHubConnectionString
    {
        // The fields a connection string may carry, in the order of the slots Parse fills (one string: less IL than an array initializer).
        private static readonly string[] FieldNames =
            ClientStatusName.List("HostName;DeviceId;ModuleId;GatewayHostName;SharedAccessKeyName;SharedAccessKey;SharedAccessSignature;x509");

        private IotHubConnectionString(string hostName, string deviceId, string moduleId, string gatewayHostName)
        {
            if (string.IsNullOrEmpty(hostName)) throw new ArgumentException("HostName is empty");
            if (string.IsNullOrEmpty(deviceId)) throw new ArgumentException("DeviceId is empty");
            HostName = hostName;
            DeviceId = deviceId;
            ModuleId = moduleId;
            GatewayHostName = gatewayHostName;
        }

        /// <summary>The hub's host name, e.g. <c>my-hub.azure-devices.net</c>; the token audience uses it.</summary>
        public string HostName { get; }

        /// <summary>The device id.</summary>
        public string DeviceId { get; }

        /// <summary>The module id, or null for a device.</summary>
        public string ModuleId { get; }

        /// <summary>Where to connect instead of <see cref="HostName"/> (an IoT Edge gateway or a local hub), or null.</summary>
        public string GatewayHostName { get; }

        /// <summary>The shared access policy name when the key is a policy's, else null.</summary>
        public string SharedAccessKeyName => keyName;

        // Fields where only the class writes: no setter methods.
        private string keyName;
        private bool usesX509;

        internal byte[] Key;

        internal string SharedAccessSignature;

        /// <summary>True when the string carries a key the SDK can sign tokens with.</summary>
        public bool HasKey => Key != null;

        /// <summary>
        /// True for <c>x509=true</c>: the device authenticates with its client certificate in the TLS handshake,
        /// so the SDK sends no SAS token, no CBS put-token and renews nothing (iothub-amqp-wire-2.md 4).
        /// </summary>
        public bool UsesX509 => usesX509;

        /// <summary>Parses a connection string; throws <see cref="ArgumentException"/> that names the wrong field.</summary>
        public static IotHubConnectionString Parse(string connectionString)
        {
            if (connectionString == null) throw new ArgumentNullException(nameof(connectionString));
            string[] names = FieldNames;
            string[] v = new string[names.Length];
            string[] parts = ClientStatusName.List(connectionString);
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i].Trim();
                if (part.Length == 0) continue;
                int eq = part.IndexOf('=');
                string name = eq <= 0 ? null : part.Substring(0, eq).Trim();
                int f = names.Length - 1;
                while (f >= 0 && names[f] != name) f--;
                // Only a known name is repeated in a message: an unknown "name" may be a pasted key.
                if (f < 0) throw new ArgumentException("connection string part " + (i + 1) + (eq <= 0 ? " is not Name=Value" : " has an unknown field name"));
                string value = part.Substring(eq + 1).Trim();
                if (value.Length == 0 || v[f] != null)
                    throw new ArgumentException(value.Length == 0 ? "connection string field '" + name + "' is empty" : "connection string has field '" + name + "' twice");
                v[f] = value;
            }
            for (int f = 0; f < 2; f++)
                if (v[f] == null) throw new ArgumentException("connection string is missing " + names[f]);
            string key = v[5], sas = v[6], x509 = v[7], error = null;
            var cs = new IotHubConnectionString(v[0], v[1], v[2], v[3]);
            cs.keyName = v[4];
            cs.SharedAccessSignature = sas;
            if (x509 != null)
            {
                if (x509 != "true" && x509 != "True") error = "field 'x509' must be true (or absent)";
                else if (key != null || sas != null) error = "has x509=true and a SharedAccessKey or SharedAccessSignature; keep one";
                cs.usesX509 = true;
            }
            else if (key == null && sas == null) error = "needs SharedAccessKey, SharedAccessSignature or x509=true";
            else if (key != null && sas != null) error = "has both SharedAccessKey and SharedAccessSignature; keep one";
            if (error != null) throw new ArgumentException("connection string " + error);
            // With x509=true neither is set (checked above).
            if (key != null) cs.Key = DecodeKey(key);
            else if (sas != null) SasToken.ParseExpiry(sas);
            return cs;
        }

        /// <summary>Builds the parts from values given separately (the key in base64, as the portal shows it).</summary>
        public static IotHubConnectionString FromParts(string hostName, string deviceId, string sharedAccessKey, string moduleId = null, string gatewayHostName = null)
        {
            var cs = new IotHubConnectionString(hostName, deviceId, moduleId, gatewayHostName);
            if (sharedAccessKey == null || sharedAccessKey.Length == 0) throw new ArgumentException("SharedAccessKey is empty");
            cs.Key = DecodeKey(sharedAccessKey);
            return cs;
        }

        /// <summary>An X.509 identity (as <c>x509=true</c>): the certificate and its key go to the transport factory.</summary>
        public static IotHubConnectionString ForX509(string hostName, string deviceId, string moduleId = null, string gatewayHostName = null)
        {
            var cs = new IotHubConnectionString(hostName, deviceId, moduleId, gatewayHostName);
            cs.usesX509 = true;
            return cs;
        }

        /// <summary>Shows the identity without the key or token.</summary>
        public override string ToString()
        {
            string s = "HostName=" + HostName + ";DeviceId=" + DeviceId;
            if (ModuleId != null) s += ";ModuleId=" + ModuleId;
            if (GatewayHostName != null) s += ";GatewayHostName=" + GatewayHostName;
            return s + (usesX509 ? ";x509=true" : Key != null ? ";SharedAccessKey=***" : ";SharedAccessSignature=***");
        }

        // The characters of base64 before any '=' padding.
        private static bool IsBase64(char c) => UrlEncoding.IsLetterOrDigit(c) || c == '+' || c == '/';

        private static byte[] DecodeKey(string key)
        {
            // Checked by hand: nanoFramework's decoder is not guaranteed to reject every bad input.
            int length = key.Length, data = key.TrimEnd('=').Length;
            if (length % 4 != 0) throw new ArgumentException("SharedAccessKey is not valid base64 (length is not a multiple of 4)");
            // Before the padding only base64 characters; the padding ('=' only, by the trim) at most two.
            for (int i = 0; i < length; i++)
                if (i < data ? !IsBase64(key[i]) : length - data > 2)
                    throw new ArgumentException("SharedAccessKey is not valid base64 (bad character at position " + i + ")");
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(key);
            }
            catch (Exception)
            {
                throw new ArgumentException("SharedAccessKey is not valid base64");
            }
            if (bytes == null || bytes.Length == 0) throw new ArgumentException("SharedAccessKey decodes to no bytes");
            return bytes;
        }
    }
}

// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>
    /// How the device proves its identity to DPS. Symmetric key (an individual enrollment's key, or a key derived from
    /// an enrollment group's key) signs a SAS token sent with SASL PLAIN; X.509 presents a client certificate in TLS
    /// and sends no SASL at all (iothub-amqp-wire-2.md 7.2).
    /// </summary>
    public sealed class ProvisioningAttestation
    {
        /// <summary>DPS's limit on a registration id.</summary>
        public const int MaxRegistrationIdLength = 128;

        private ProvisioningAttestation(string registrationId, byte[] key, string keyBase64)
        {
            RegistrationId = registrationId;
            Key = key;
            KeyBase64 = keyBase64;
        }

        /// <summary>The registration id (the enrollment's, or the device's own name within a group).</summary>
        public string RegistrationId { get; }

        /// <summary>True for X.509: the transport carries the credential, not SASL.</summary>
        public bool IsX509 => Key == null;

        // The device key (decoded); secret, never logged.
        internal byte[] Key { get; }

        internal string KeyBase64 { get; }

        /// <summary>An individual enrollment with a symmetric key (base64, as the portal shows it).</summary>
        public static ProvisioningAttestation SymmetricKey(string registrationId, string base64Key)
        {
            CheckRegistrationId(registrationId);
            return new ProvisioningAttestation(registrationId, DecodeKey(base64Key, "the enrollment key"), base64Key);
        }

        /// <summary>
        /// A device of a symmetric-key enrollment group: its key is derived from the group key and
        /// <paramref name="registrationId"/> (see <see cref="DeriveDeviceKey"/>). Keep the group key off devices
        /// where you can: derive once at manufacture and use <see cref="SymmetricKey"/> with the result.
        /// </summary>
        public static ProvisioningAttestation SymmetricKeyGroup(string registrationId, string base64GroupKey, IPlatform platform)
        {
            string derived = DeriveDeviceKey(platform, base64GroupKey, registrationId);
            return new ProvisioningAttestation(registrationId, Convert.FromBase64String(derived), derived);
        }

        /// <summary>
        /// X.509: the transport factory given to <see cref="ProvisioningDeviceClient"/> must present the device's
        /// client certificate (whose CN is <paramref name="registrationId"/>); DPS authenticates the TLS session.
        /// </summary>
        public static ProvisioningAttestation X509(string registrationId)
        {
            CheckRegistrationId(registrationId);
            return new ProvisioningAttestation(registrationId, null, null);
        }

        /// <summary>
        /// The device key of a group enrollment: base64(HMAC-SHA256(key: base64-decoded group key, data: UTF-8 registration id)).
        /// </summary>
        public static string DeriveDeviceKey(IPlatform platform, string base64GroupKey, string registrationId)
        {
            if (platform == null) throw new ArgumentNullException(nameof(platform));
            CheckRegistrationId(registrationId);
            byte[] groupKey = DecodeKey(base64GroupKey, "the group key");
            byte[] data = new byte[Utf8.GetByteCount(registrationId)];
            Utf8.Encode(registrationId, data, 0);
            return Convert.ToBase64String(platform.HmacSha256(groupKey, data));
        }

        internal static void CheckRegistrationId(string id)
        {
            if (id == null || id.Length == 0) throw new ArgumentException("the registration id is empty");
            if (id.Length > MaxRegistrationIdLength)
                throw new ArgumentException("the registration id has " + id.Length + " characters; DPS allows at most " + MaxRegistrationIdLength);
            for (int i = 0; i < id.Length; i++)
            {
                char c = id[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == ':';
                if (!ok) throw new ArgumentException("the registration id has a character DPS does not allow at index " + i + " (letters, digits, '-', '.', '_', ':')");
            }
        }

        private static byte[] DecodeKey(string base64, string what)
        {
            if (base64 == null || base64.Length == 0) throw new ArgumentException(what + " is empty");
            byte[] key;
            try
            {
                key = Convert.FromBase64String(base64);
            }
            catch (Exception)
            {
                throw new ArgumentException(what + " is not valid base64");
            }
            if (key.Length == 0) throw new ArgumentException(what + " is empty");
            return key;
        }
    }
}

// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IotHubAmqp.Device.Platform.Desktop
{
    /// <summary>
    /// Loads a device's X.509 identity (certificate chain and private key, PEM) for mutual TLS, with errors that
    /// say which file is wrong and how. Messages never include key material.
    /// </summary>
    internal static class ClientCertificatePem
    {
        /// <summary>The leaf (first certificate) with its key, and any further certificates (intermediates) of the file.</summary>
        public static X509Certificate2 Load(string certificatePem, string keyPem, string certificateName, string keyName, out X509Certificate2Collection intermediates)
        {
            if (certificatePem == null) throw new ArgumentNullException(nameof(certificatePem));
            if (keyPem == null) throw new ArgumentNullException(nameof(keyPem));
            var all = new X509Certificate2Collection();
            try
            {
                all.ImportFromPem(certificatePem);
            }
            catch (CryptographicException e)
            {
                throw new ArgumentException($"The device certificate {certificateName} is not a valid PEM certificate: {e.Message}", e);
            }

            if (all.Count == 0)
            {
                throw new ArgumentException($"The device certificate {certificateName} is not a valid PEM certificate: no -----BEGIN CERTIFICATE----- block with base64 DER in it.");
            }

            X509Certificate2 leaf = all[0];
            X509Certificate2 withKey;
            try
            {
                withKey = leaf.GetKeyAlgorithm() == "1.2.840.10045.2.1" // id-ecPublicKey
                    ? WithEcKey(leaf, keyPem)
                    : WithRsaKey(leaf, keyPem);
            }
            catch (CryptographicException e)
            {
                // The key does not parse, is encrypted, or belongs to another certificate.
                throw new ArgumentException($"The device key {keyName} is not an unencrypted PEM private key matching {certificateName}: {e.Message}", e);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"The device key {keyName} is not an unencrypted PEM private key matching {certificateName}: {e.Message}", e);
            }

            intermediates = new X509Certificate2Collection();
            for (int i = 1; i < all.Count; i++)
            {
                intermediates.Add(all[i]);
            }

            // A PKCS#12 round trip gives SslStream a certificate whose key it can use on every OS.
            using (withKey)
            {
                return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            }
        }

        /// <summary>Reads both files (names in errors are the paths).</summary>
        public static X509Certificate2 LoadFiles(string certificatePath, string keyPath, out X509Certificate2Collection intermediates)
        {
            if (certificatePath == null) throw new ArgumentNullException(nameof(certificatePath));
            if (keyPath == null) throw new ArgumentNullException(nameof(keyPath));
            return Load(File.ReadAllText(certificatePath), File.ReadAllText(keyPath), "'" + certificatePath + "'", "'" + keyPath + "'", out intermediates);
        }

        private static X509Certificate2 WithEcKey(X509Certificate2 leaf, string keyPem)
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(keyPem);
            return leaf.CopyWithPrivateKey(key);
        }

        private static X509Certificate2 WithRsaKey(X509Certificate2 leaf, string keyPem)
        {
            using var key = RSA.Create();
            key.ImportFromPem(keyPem);
            return leaf.CopyWithPrivateKey(key);
        }
    }
}

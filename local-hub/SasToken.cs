using System.Security.Cryptography;
using System.Text;

namespace IotHubAmqp.LocalHub;

/// <summary>A parsed <c>SharedAccessSignature</c> token.</summary>
internal sealed class SasToken
{
    public required string RawResource { get; init; }   // sr exactly as it appears
    public required string Resource { get; init; }      // sr URL-decoded
    public required string Signature { get; init; }     // sig URL-decoded (base64)
    public required string Expiry { get; init; }        // se as it appears
    public string? KeyName { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }

    public static bool TryParse(string? token, out SasToken? parsed)
    {
        parsed = null;
        const string prefix = "SharedAccessSignature ";
        if (token is null || token.Length > 4096 || !token.StartsWith(prefix, StringComparison.Ordinal)) return false;
        string? sr = null, sig = null, se = null, skn = null;
        foreach (var part in token[prefix.Length..].Split('&'))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) return false;
            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "sr": sr = value; break;
                case "sig": sig = value; break;
                case "se": se = value; break;
                case "skn": skn = value; break;
            }
        }
        if (sr is null || sig is null || se is null || !long.TryParse(se, out var seconds) || seconds < 0 || seconds > 253402300799) return false;
        parsed = new SasToken
        {
            RawResource = sr,
            Resource = Uri.UnescapeDataString(sr),
            Signature = Uri.UnescapeDataString(sig),
            Expiry = se,
            KeyName = skn is null ? null : Uri.UnescapeDataString(skn),
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds),
        };
        return true;
    }

    /// <summary>HMAC-SHA256 over "sr as sent\nse", compared in constant time.</summary>
    public bool SignatureMatches(byte[] key)
    {
        byte[] given;
        try { given = Convert.FromBase64String(Signature); }
        catch (FormatException) { return false; }
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(RawResource + "\n" + Expiry));
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>Creates a token (used by the hub's printed connection strings and by tests).</summary>
    public static string Create(string resource, byte[] key, DateTimeOffset expiresAt, string? keyName = null)
    {
        var sr = Uri.EscapeDataString(resource);
        var se = expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sig = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(sr + "\n" + se)));
        var token = $"SharedAccessSignature sr={sr}&sig={Uri.EscapeDataString(sig)}&se={se}";
        return keyName is null ? token : token + "&skn=" + Uri.EscapeDataString(keyName);
    }
}

// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text.Json;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>The JSON body of one telemetry message: readings that drift plausibly, padded on request.</summary>
internal static class TelemetryPayload
{
    private const string PaddingField = "padding";

    /// <summary>Readings for message <paramref name="counter"/>: a slow sine around a base value plus noise.</summary>
    public static double Temperature(long counter, Random noise) => Round(21.5 + 3.0 * Math.Sin(counter / 30.0) + (noise.NextDouble() - 0.5) * 0.4);

    /// <summary>
    /// <c>{"deviceId":..,"counter":..,"temperature":..,"humidity":..,"pressure":..,"time":..}</c>, then, when
    /// <paramref name="minBytes"/> is larger, a "padding" field of x's (or trailing spaces when only a few
    /// bytes are missing) so the body is exactly <paramref name="minBytes"/> long.
    /// </summary>
    public static byte[] Build(string deviceId, long counter, double temperature, Random noise, DateTimeOffset time, int minBytes)
    {
        double humidity = Round(45 + 10 * Math.Sin(counter / 50.0) + (noise.NextDouble() - 0.5));
        double pressure = Round(1013.25 + (noise.NextDouble() - 0.5) * 2);
        byte[] body = Write(deviceId, counter, temperature, humidity, pressure, time, null);
        if (body.Length >= minBytes) return body;

        // The field adds ,"padding":"" (13 bytes) plus its x's.
        int fieldOverhead = PaddingField.Length + 6;
        int missing = minBytes - body.Length;
        if (missing >= fieldOverhead)
        {
            return Write(deviceId, counter, temperature, humidity, pressure, time, new string('x', missing - fieldOverhead));
        }

        // Too few bytes for a field: whitespace after the object keeps it valid JSON.
        byte[] padded = new byte[minBytes];
        Array.Copy(body, padded, body.Length);
        Array.Fill(padded, (byte)' ', body.Length, missing);
        return padded;
    }

    private static byte[] Write(string deviceId, long counter, double temperature, double humidity, double pressure, DateTimeOffset time, string? padding)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("deviceId", deviceId);
            json.WriteNumber("counter", counter);
            json.WriteNumber("temperature", temperature);
            json.WriteNumber("humidity", humidity);
            json.WriteNumber("pressure", pressure);
            json.WriteString("time", time);
            if (padding != null) json.WriteString(PaddingField, padding);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static double Round(double v) => Math.Round(v, 2);
}

// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Device.Gpio;
using System.Threading;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Twin;

namespace TelemetryAndCommands
{
    /// <summary>
    /// The direct method "led" and the reported properties, from the optional IotHubAmqp.Device.Twin assembly (an
    /// app that sends only telemetry does not deploy it). Call the method from the service side with a payload such
    /// as <c>{"on":true,"durationMs":2000}</c>; set the desired property <c>telemetryPeriodSeconds</c> to change the
    /// telemetry period. The device reports <c>ledOn</c>, <c>telemetryPeriodSeconds</c> and <c>sdkVersion</c>.
    /// </summary>
    public partial class Program
    {
        private const int MaxLedDurationMs = 60 * 1000;
        private const int TwinTimeoutMilliseconds = 15 * 1000;
        private const int MinTelemetryPeriodSeconds = 1;
        private const int MaxTelemetryPeriodSeconds = 3600;

        private static DeviceTwinClient twin;
        private static Timer ledTimer;
        private static int telemetryPeriodSeconds = Config.TelemetryPeriodSeconds;

        private static void AddMethodsAndTwin(DeviceClient client)
        {
            twin = new DeviceTwinClient(client);
            twin.AddMethodCallback("led", OnLedMethod);
            twin.TwinUpdated += OnDesiredProperties;
        }

        // After Open: apply what the service wants already, and say what the device is.
        private static void SyncTwin()
        {
            try
            {
                Twin current = twin.GetTwin(TwinTimeoutMilliseconds);
                ApplyDesired(current.Properties.Desired);
            }
            catch (Exception e)
            {
                Log("GetTwin failed: " + Describe(e));
            }

            Report();
        }

        // Runs on the client's handler thread; the connection keeps going meanwhile.
        private static MethodResponse OnLedMethod(string methodName, string payload)
        {
            TwinCollection request;
            try
            {
                request = new TwinCollection(payload);
            }
            catch (ArgumentException)
            {
                return new MethodResponse(400, "{\"error\":\"the payload must be a JSON object such as {\\\"on\\\":true,\\\"durationMs\\\":2000}\"}");
            }

            if (!(request["on"] is bool))
            {
                return new MethodResponse(400, "{\"error\":\"'on' must be true or false\"}");
            }

            bool on = (bool)request["on"];
            long duration = request["durationMs"] is long ? (long)request["durationMs"] : 0;
            if (duration < 0 || duration > MaxLedDurationMs)
            {
                return new MethodResponse(400, "{\"error\":\"'durationMs' must be between 0 and " + MaxLedDurationMs.ToString() + "\"}");
            }

            SetLed(on);
            if (duration > 0)
            {
                // Back to the other state after the duration (a previous timer is replaced).
                Timer old = ledTimer;
                ledTimer = new Timer(state => { SetLed(!on); Report(); }, null, (int)duration, Timeout.Infinite);
                if (old != null)
                {
                    old.Dispose();
                }
            }

            Log("Method 'led': " + (on ? "on" : "off") + (duration > 0 ? " for " + duration.ToString() + " ms" : ""));
            Report();
            return new MethodResponse(200, "{\"ledOn\":" + (on ? "true" : "false") + "}");
        }

        private static void OnDesiredProperties(DeviceTwinClient sender, TwinCollection desired)
        {
            Log("Desired properties, version " + desired.Version.ToString());
            ApplyDesired(desired);
            Report();
        }

        private static void ApplyDesired(TwinCollection desired)
        {
            if (!(desired["telemetryPeriodSeconds"] is long))
            {
                return;
            }

            long period = (long)desired["telemetryPeriodSeconds"];
            if (period < MinTelemetryPeriodSeconds || period > MaxTelemetryPeriodSeconds)
            {
                Log("Desired telemetryPeriodSeconds " + period.ToString() + " ignored: outside 1..3600");
                return;
            }

            telemetryPeriodSeconds = (int)period;
            Log("Telemetry period now " + period.ToString() + " s");
        }

        private static void SetLed(bool on)
        {
            lock (LedLock)
            {
                ledOn = on;
                led.Write(on ? PinValue.High : PinValue.Low);
            }
        }

        private static void Report()
        {
            var reported = new TwinCollection();
            lock (LedLock)
            {
                reported.Add("ledOn", ledOn);
            }

            reported.Add("telemetryPeriodSeconds", (long)telemetryPeriodSeconds);
            reported.Add("sdkVersion", DeviceClient.ClientVersion);
            try
            {
                long version = twin.UpdateReportedProperties(reported, TwinTimeoutMilliseconds);
                Log("Reported properties, version " + version.ToString());
            }
            catch (Exception e)
            {
                // Throttled (429) or the connection is down: the next change reports again.
                Log("Reporting failed: " + Describe(e));
            }
        }
    }
}

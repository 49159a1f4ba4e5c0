// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Device.Gpio;
using System.Device.Wifi;
using System.Text;
using System.Threading;
using IotHubAmqp.Device;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform.Nano;
using nanoFramework.Networking;

namespace TelemetryAndCommands
{
    /// <summary>
    /// Sends a small JSON telemetry message every few seconds and obeys one cloud-to-device command, "toggle",
    /// which switches an LED; any other command is rejected. The direct method "led" and the reported and desired
    /// properties are in MethodsAndTwin.cs. Token renewal and reconnection after Wi-Fi or hub
    /// outages are the SDK's job: nothing below handles them.
    /// </summary>
    public partial class Program
    {
        private const string ToggleCommand = "toggle";
        private const int WifiTimeoutMilliseconds = 60 * 1000;
        private const int OpenRetryMilliseconds = 15 * 1000;
        private const int TokenLifetimeSeconds = 3600;
        private const int MaxLoggedCommandLength = 40;

        private static readonly object LedLock = new object();
        private static GpioPin led;
        private static bool ledOn;

        /// <summary>The application's entry point.</summary>
        public static void Main()
        {
            Log("TelemetryAndCommands starting (" + DeviceClient.ClientVersion + ")");

            // Step 1: the settings. Config.cs is made by hand from Config.template.cs and is git-ignored:
            // it holds the Wi-Fi password and the device key.
            if (HasPlaceholder(Config.WifiSsid) || HasPlaceholder(Config.WifiPassword) || HasPlaceholder(Config.ConnectionString))
            {
                Stop("Config.cs still holds the template's <placeholders>: fill it in and deploy again.");
            }

            // Step 2: join Wi-Fi and wait until SNTP has set the clock (requiresDateTime). The SAS token's expiry
            // and the TLS certificate dates are both checked against this clock: at 1970 both fail.
            // Automatic reconnection: the ESP32 rejoins by itself after the access point drops it.
            var wifiTimeout = new CancellationTokenSource(WifiTimeoutMilliseconds);
            bool joined = WifiNetworkHelper.ConnectDhcp(
                Config.WifiSsid,
                Config.WifiPassword,
                WifiReconnectionKind.Automatic,
                requiresDateTime: true,
                token: wifiTimeout.Token);
            if (!joined)
            {
                Exception why = WifiNetworkHelper.HelperException;
                Stop("Wi-Fi failed (helper status " + ((int)WifiNetworkHelper.Status).ToString() + ")"
                    + (why == null ? "" : ": " + Describe(why)) + ". Check the SSID and password, then reset the board.");
            }

            Log("Wi-Fi up, clock set: " + DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss") + " UTC");

            // Step 3: the root CA the hub's TLS certificate must chain to. Azure IoT Hub: DigiCert Global Root G2.
            // The local hub: the CA it generated at start, pasted into Config.cs.
            string rootPem = Config.LocalHubCaPem.Length > 0 ? Config.LocalHubCaPem : TrustedRoots.DigiCertGlobalRootG2;
            NanoTransportFactory transports = NanoTransportFactory.FromPem(rootPem);

            // Step 4: the LED, then the client: CBS authentication (the token is renewed on the open connection)
            // with one-hour tokens the SDK signs from the key and renews before they expire.
            led = new GpioController().OpenPin(Config.LedPin, PinMode.Output);
            led.Write(PinValue.Low);

            var options = new DeviceClientOptions();
            options.Authentication = AuthenticationMode.Cbs;
            options.TokenLifetimeSeconds = TokenLifetimeSeconds;
            var platform = new NanoPlatform();
            DeviceClient client = null;
            try
            {
                client = new DeviceClient(Config.ConnectionString, transports, platform, options);
            }
            catch (ArgumentException e)
            {
                // The message names the faulty field and never repeats the key.
                Stop("The connection string in Config.cs is not valid: " + e.Message);
            }

            client.StatusChanged += OnStatusChanged;
            client.CloudToDeviceMessage += OnCloudToDeviceMessage;
            AddMethodsAndTwin(client);

            // Step 5: connect. Only this first connect is the application's to retry; once open, the client
            // reconnects and renews its token by itself.
            Open(client);
            SyncTwin();

            // Step 6: a telemetry message every few seconds, and the hub's answer to it.
            int number = 0;
            while (true)
            {
                number++;
                SendTelemetry(client, platform, number);
                Thread.Sleep(telemetryPeriodSeconds * 1000);
            }
        }

        private static void Open(DeviceClient client)
        {
            while (true)
            {
                try
                {
                    client.Open();
                    return;
                }
                catch (AmqpException e)
                {
                    if (e.Condition == ErrorCode.UnauthorizedAccess)
                    {
                        // Retrying cannot help: the key, the device id, or the device's state in the hub is wrong.
                        Stop("The hub refused the device (" + e.Message + "). Check DeviceId and SharedAccessKey in "
                            + "Config.cs and that the device is enabled in the hub.");
                    }

                    Log("Connect failed: " + e.Message + "; trying again in " + (OpenRetryMilliseconds / 1000).ToString() + " s");
                }
                catch (Exception e)
                {
                    // DNS, TCP or TLS (wrong root CA, wrong clock, host name not in the certificate): see the message.
                    Log("Connect failed: " + Describe(e) + "; trying again in " + (OpenRetryMilliseconds / 1000).ToString() + " s");
                }

                Thread.Sleep(OpenRetryMilliseconds);
            }
        }

        private static void SendTelemetry(DeviceClient client, NanoPlatform platform, int number)
        {
            bool on;
            lock (LedLock)
            {
                on = ledOn;
            }

            // No JSON library on the device: three fields are easily written by hand.
            string json = "{\"messageNumber\":" + number.ToString()
                + ",\"ledOn\":" + (on ? "true" : "false")
                + ",\"secondsSinceStart\":" + (platform.TickMilliseconds / 1000).ToString() + "}";
            var message = new Message(Encoding.UTF8.GetBytes(json));
            message.Properties = new MessageProperties();
            // With both set, IoT Hub message routing can query the JSON body.
            message.Properties.ContentType = "application/json";
            message.Properties.ContentEncoding = "utf-8";

            try
            {
                // Waits for the hub's outcome (at most OperationTimeoutMs, 30 s); while the client reconnects the
                // message waits for the new connection instead of failing.
                SendResult result = client.SendTelemetry(message);
                if (result.IsAccepted)
                {
                    Log("Telemetry " + number.ToString() + " accepted: " + json);
                }
                else
                {
                    Log("Telemetry " + number.ToString() + " " + SendResult.NameOf(result.Outcome)
                        + (result.Condition == null ? "" : " (" + result.Condition + ": " + result.Description + ")"));
                }
            }
            catch (Exception e)
            {
                Log("Telemetry " + number.ToString() + " failed: " + Describe(e));
            }
        }

        // Runs on the client's dispatch thread, one message at a time.
        private static void OnCloudToDeviceMessage(DeviceClient sender, C2dMessage message)
        {
            string command = CommandText(message.Body);
            try
            {
                if (command == ToggleCommand)
                {
                    bool on;
                    lock (LedLock)
                    {
                        ledOn = !ledOn;
                        led.Write(ledOn ? PinValue.High : PinValue.Low);
                        on = ledOn;
                    }

                    // Completed: the hub removes it and reports Success to a sender that asked for feedback.
                    // (A message redelivered after a lost connection toggles again: a real command would
                    // carry the state it wants, not a flip.)
                    sender.Complete(message);
                    Log("Command 'toggle' done, LED " + (on ? "on" : "off") + " (message-id " + message.MessageId + ")");
                    Report();
                }
                else
                {
                    // Rejected: the hub dead-letters it and reports Rejected as feedback; it is not delivered again.
                    sender.Reject(message);
                    Log("Unknown command '" + Shorten(command) + "' rejected (message-id " + message.MessageId + ")");
                }
            }
            catch (Exception e)
            {
                // Settling fails if the connection dropped meanwhile; the hub then delivers the message again.
                Log("Could not settle message " + message.MessageId + ": " + Describe(e));
            }
        }

        private static void OnStatusChanged(DeviceClient sender, ClientStatus status, string reason)
        {
            Log("Status " + ClientStatusName.Of(status) + ": " + reason);
        }

        private static string CommandText(byte[] body)
        {
            if (body == null || body.Length == 0)
            {
                return string.Empty;
            }

            return Encoding.UTF8.GetString(body, 0, body.Length).Trim().ToLower();
        }

        private static bool HasPlaceholder(string value) => value.Length == 0 || value.IndexOf('<') >= 0;

        // Native exceptions often carry no message on the device: the type name is the useful part.
        private static string Describe(Exception e)
        {
            string text = e.Message;
            return text == null || text.Length == 0 ? e.GetType().FullName : e.GetType().Name + ": " + text;
        }

        private static string Shorten(string text) =>
            text.Length <= MaxLoggedCommandLength ? text : text.Substring(0, MaxLoggedCommandLength) + "...";

        private static void Log(string text)
        {
            Console.WriteLine(DateTime.UtcNow.ToString("HH:mm:ss") + " " + text);
        }

        private static void Stop(string text)
        {
            Log(text);
            Thread.Sleep(Timeout.Infinite);
        }
    }
}

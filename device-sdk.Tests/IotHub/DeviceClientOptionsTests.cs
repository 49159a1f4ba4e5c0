// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class DeviceClientOptionsTests
    {
        [TestMethod]
        public void Defaults_AreValid()
        {
            new DeviceClientOptions().Validate();
        }

        [TestMethod]
        public void Defaults_MatchDocumentation()
        {
            var o = new DeviceClientOptions();
            Assert.AreEqual(AuthenticationMode.Cbs, o.Authentication);
            Assert.AreEqual("servicebus.windows.net:sastoken", o.CbsTokenType);
            Assert.AreEqual(3600, o.TokenLifetimeSeconds);
            Assert.AreEqual(0.85, o.RenewalPoint);
            Assert.AreEqual(0.03, o.RenewalJitter);
            Assert.AreEqual(5671, o.Port);
            Assert.AreEqual(4096u, o.MaxFrameSize);
            Assert.AreEqual(2u, o.C2dPrefetch);
            Assert.AreEqual(72 * 1024, o.C2dMaxMessageBytes);
            Assert.AreEqual(30000, o.ConnectTimeoutMs);
            Assert.AreEqual(30000, o.OperationTimeoutMs);
            Assert.AreEqual(240000u, o.IdleTimeoutMs);
            Assert.IsNotNull(o.Retry);
            Assert.IsTrue(o.ReceiveCloudToDevice);
        }

        // NaN passes "< 0" and ">= x" alike, so range checks must be written as "!(in range)";
        // an AuthenticationMode outside the enum is silently treated as Cbs by DeviceClient.
        // Null values are not [DataRow]s: nanoFramework's metadata processor cannot write a null row argument.
        [TestMethod]
        public void Validate_NullCbsTokenType_ThrowsNamingOption() => Validate_BadOption_ThrowsNamingOption("CbsTokenType", null, "CbsTokenType");

        [TestMethod]
        public void Validate_NullRetry_ThrowsNamingOption() => Validate_BadOption_ThrowsNamingOption("Retry", null, "Retry");

        [TestMethod]
        [DataRow("TokenLifetimeSeconds", "0", "TokenLifetimeSeconds")]
        [DataRow("TokenLifetimeSeconds", "-1", "TokenLifetimeSeconds")]
        [DataRow("RenewalPoint", "0", "RenewalPoint")]
        [DataRow("RenewalPoint", "1", "RenewalPoint")]
        [DataRow("RenewalPoint", "-0.5", "RenewalPoint")]
        [DataRow("RenewalPoint", "1.5", "RenewalPoint")]
        [DataRow("RenewalPoint", "NaN", "RenewalPoint")]
        [DataRow("RenewalJitter", "-0.01", "RenewalJitter")]
        [DataRow("RenewalJitter", "0.15", "RenewalJitter")]
        [DataRow("RenewalJitter", "0.9", "RenewalJitter")]
        [DataRow("RenewalJitter", "NaN", "RenewalJitter")]
        [DataRow("CbsTokenType", "sastoken", "CbsTokenType")]
        [DataRow("CbsTokenType", "", "CbsTokenType")]
        [DataRow("Authentication", "7", "Authentication")]
        [DataRow("Port", "0", "Port")]
        [DataRow("Port", "-1", "Port")]
        [DataRow("Port", "70000", "Port")]
        [DataRow("Port", "65536", "Port")]
        [DataRow("MaxFrameSize", "511", "MaxFrameSize")]
        [DataRow("MaxFrameSize", "0", "MaxFrameSize")]
        [DataRow("C2dPrefetch", "0", "C2dPrefetch")]
        [DataRow("C2dPrefetch", "51", "C2dPrefetch")]
        [DataRow("C2dMaxMessageBytes", "1023", "C2dMaxMessageBytes")]
        [DataRow("ConnectTimeoutMs", "0", "ConnectTimeoutMs")]
        [DataRow("ConnectTimeoutMs", "-5", "ConnectTimeoutMs")]
        [DataRow("OperationTimeoutMs", "0", "OperationTimeoutMs")]
        [DataRow("OperationTimeoutMs", "-5", "OperationTimeoutMs")]
        [DataRow("Retry.MinDelayMs", "-1", "MinDelayMs")]
        [DataRow("Retry.Jitter", "2", "Jitter")]
        public void Validate_BadOption_ThrowsNamingOption(string option, string value, string expected)
        {
            var o = new DeviceClientOptions();
            Set(o, option, value);
            try
            {
                o.Validate();
            }
            catch (ArgumentException e)
            {
                Assert.IsTrue(e.Message.IndexOf(expected) >= 0, "message does not name " + expected + ": " + e.Message);
                return;
            }
            throw new AssertFailedException("Validate accepted " + option + " = " + (value ?? "null"));
        }

        [TestMethod]
        [DataRow("TokenLifetimeSeconds", "1")]
        [DataRow("RenewalPoint", "0.5")]
        [DataRow("RenewalJitter", "0")]
        [DataRow("RenewalJitter", "0.14")]
        [DataRow("CbsTokenType", "azure-devices.net:sastoken")]
        [DataRow("Authentication", "2")]
        [DataRow("Port", "1")]
        [DataRow("Port", "65535")]
        [DataRow("MaxFrameSize", "512")]
        [DataRow("C2dPrefetch", "1")]
        [DataRow("C2dPrefetch", "50")]
        [DataRow("C2dMaxMessageBytes", "1024")]
        [DataRow("ConnectTimeoutMs", "1")]
        [DataRow("OperationTimeoutMs", "1")]
        public void Validate_BoundaryValue_Accepted(string option, string value)
        {
            var o = new DeviceClientOptions();
            Set(o, option, value);
            o.Validate();
        }

        [TestMethod]
        public void Validate_SmallRenewalPointWithJitterBelowIt_Accepted()
        {
            new DeviceClientOptions { RenewalPoint = 0.1, RenewalJitter = 0.09 }.Validate();
        }

        [TestMethod]
        public void Validate_JitterEqualToSmallRenewalPoint_Throws()
        {
            // 0.1 - 0.1 would renew at the very start of the token's life.
            Assert.ThrowsException(typeof(ArgumentException), () => new DeviceClientOptions { RenewalPoint = 0.1, RenewalJitter = 0.1 }.Validate());
        }

        private static double Number(string value) => value == "NaN" ? double.NaN : double.Parse(value);

        private static void Set(DeviceClientOptions o, string option, string value)
        {
            switch (option)
            {
                case "TokenLifetimeSeconds": o.TokenLifetimeSeconds = (int)Number(value); break;
                case "RenewalPoint": o.RenewalPoint = Number(value); break;
                case "RenewalJitter": o.RenewalJitter = Number(value); break;
                case "CbsTokenType": o.CbsTokenType = value; break;
                case "Authentication": o.Authentication = (AuthenticationMode)(int)Number(value); break;
                case "Port": o.Port = (int)Number(value); break;
                case "MaxFrameSize": o.MaxFrameSize = (uint)Number(value); break;
                case "C2dPrefetch": o.C2dPrefetch = (uint)Number(value); break;
                case "C2dMaxMessageBytes": o.C2dMaxMessageBytes = (int)Number(value); break;
                case "ConnectTimeoutMs": o.ConnectTimeoutMs = (int)Number(value); break;
                case "OperationTimeoutMs": o.OperationTimeoutMs = (int)Number(value); break;
                case "Retry": o.Retry = null; break;
                case "Retry.MinDelayMs": o.Retry.MinDelayMs = (int)Number(value); break;
                case "Retry.Jitter": o.Retry.Jitter = Number(value); break;
                default: throw new AssertFailedException("unknown option " + option);
            }
        }
    }
}

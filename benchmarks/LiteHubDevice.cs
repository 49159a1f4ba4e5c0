// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using Amqp;
using Amqp.Framing;
using Amqp.Types;
using LiteMessage = Amqp.Message;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// AMQP.Net Lite as an IoT Hub device, by hand: TLS with the hub's CA, CBS put-token, the telemetry sender and C2D
    /// receiver, and (with features) the methods and twin link pairs with IoT Hub's attach properties; it answers
    /// every method with status 200 and the request's payload, from the receiver's callback.
    /// </summary>
    internal sealed class LiteHubDevice : IDisposable
    {
        private readonly Connection connection;

        public LiteHubDevice(HubProcess hub, string deviceId, bool features)
        {
            var factory = new ConnectionFactory();
            factory.SSL.Protocols = System.Security.Authentication.SslProtocols.Tls12;
            factory.SSL.RemoteCertificateValidationCallback = (s, cert, chain, errors) => hub.Validate(cert);
            factory.AMQP.ContainerId = "lite-" + deviceId;
            factory.AMQP.MaxFrameSize = 4096;
            // 127.0.0.1 is in the hub certificate's names, as GatewayHostName=127.0.0.1 is for ours.
            connection = factory.CreateAsync(new Address($"amqps://127.0.0.1:{hub.AmqpPort}")).GetAwaiter().GetResult();
            var session = new Session(connection);
            string audience = hub.HostName + "/devices/" + deviceId;
            PutToken(session, audience, HubProcess.Sas(audience, null, hub.DeviceKey(deviceId)));

            string device = "/devices/" + deviceId;
            Attached(new SenderLink(session, "telemetry-" + deviceId, new Attach { Source = new Source(), Target = new Target { Address = device + "/messages/events" } }, null));
            var c2d = Attached(new ReceiverLink(session, "c2d-" + deviceId, new Attach { Source = new Source { Address = device + "/messages/devicebound" }, Target = new Target() }, null));
            c2d.SetCredit(2, false);
            if (!features) return;

            string methods = device + "/methods/devicebound";
            var responses = Attached(new SenderLink(session, "methods-responses-" + deviceId,
                new Attach { Source = new Source(), Target = new Target { Address = methods }, Properties = Channel("methods:" + deviceId) }, null));
            var requests = Attached(new ReceiverLink(session, "methods-requests-" + deviceId,
                new Attach { Source = new Source { Address = methods }, Target = new Target(), Properties = Channel("methods:" + deviceId) }, null));
            requests.Start(4, (link, request) =>
            {
                link.Accept(request);
                var answer = new LiteMessage { BodySection = new Data { Binary = (byte[])request.Body ?? new byte[] { (byte)'{', (byte)'}' } } };
                // The request id is a uuid: Lite's CorrelationId property is string-typed, its Get/Set pair is not.
                answer.Properties = new Properties();
                answer.Properties.SetCorrelationId(request.Properties.GetCorrelationId());
                answer.ApplicationProperties = new ApplicationProperties();
                answer.ApplicationProperties["IoThub-status"] = 200;
                responses.Send(answer, null, null);
            });
            string twin = device + "/twin";
            Attached(new SenderLink(session, "twin-sender-" + deviceId,
                new Attach { Source = new Source(), Target = new Target { Address = twin }, Properties = Channel("twin:" + deviceId) }, null));
            var twinIn = Attached(new ReceiverLink(session, "twin-receiver-" + deviceId,
                new Attach { Source = new Source { Address = twin }, Target = new Target(), Properties = Channel("twin:" + deviceId) }, null));
            twinIn.SetCredit(4, false);
        }

        private static Fields Channel(string correlation)
        {
            var f = new Fields();
            f[new Symbol("com.microsoft:channel-correlation-id")] = correlation;
            f[new Symbol("com.microsoft:api-version")] = "2021-04-12";
            return f;
        }

        private static T Attached<T>(T link) where T : Link
        {
            // Lite attaches asynchronously; a refused link shows as closed with an error.
            for (int i = 0; i < 100 && link.LinkState != LinkState.Attached; i++)
            {
                if (link.IsClosed) throw new InvalidOperationException("Lite link refused: " + link.Error);
                Thread.Sleep(20);
            }
            if (link.LinkState != LinkState.Attached) throw new TimeoutException("Lite link not attached");
            return link;
        }

        private static void PutToken(Session session, string audience, string token)
        {
            var cbsOut = new SenderLink(session, "cbs-sender", "$cbs");
            var cbsIn = new ReceiverLink(session, "cbs-receiver", "$cbs");
            var request = new LiteMessage(token) { Properties = new Properties { MessageId = "put-1", ReplyTo = "cbs" } };
            request.ApplicationProperties = new ApplicationProperties();
            request.ApplicationProperties["operation"] = "put-token";
            request.ApplicationProperties["type"] = "servicebus.windows.net:sastoken";
            request.ApplicationProperties["name"] = audience;
            cbsOut.Send(request);
            LiteMessage reply = cbsIn.Receive(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("no put-token reply");
            cbsIn.Accept(reply);
            object status = reply.ApplicationProperties["status-code"];
            if (Convert.ToInt32(status) != 200) throw new InvalidOperationException("put-token refused: " + status);
        }

        /// <summary>What an object-graph walk of this device starts from.</summary>
        public object Graph => connection;

        public void Dispose() => connection.Close(TimeSpan.FromSeconds(2));
    }
}

// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.IotHub
{
    // Cloud-to-device messages: settling, the application's takes, and the prefetch bounded by what it holds.
    internal sealed partial class ClientCore
    {
        private void OnSettle(ClientRequest r)
        {
            IncomingDelivery d = r.C2d.Delivery;
            ReceiverLink link = c2d;
            if (d.Link != link || !Up(link))
            {
                Fail(r, new AmqpException(ErrorCode.IllegalState, "message " + r.C2d.MessageId + " cannot be settled: its link was lost, the hub will deliver it again"));
                return;
            }
            try
            {
                if (r.Settlement == 0) link.Accept(d);
                else if (r.Settlement == 1) link.Reject(d, null);
                else link.Release(d);
                r.Complete();
            }
            catch (AmqpException e)
            {
                Fail(r, e);
            }
        }

        private void OnTakeC2d(ClientRequest r)
        {
            ArrayList ready = c2dReady;
            int n = ready.Count < r.MaxCount ? ready.Count : r.MaxCount;
            var taken = new C2dMessage[n];
            for (int i = 0; i < n; i++)
            {
                taken[i] = (C2dMessage)ready[0];
                ready.RemoveAt(0);
            }
            // Messages handed to the handler count against the prefetch until it returns them; ones the application
            // polled are its own from here.
            if (r.ForHandler) c2dOut += n;
            r.Taken = taken;
            r.Complete();
            PullC2d();
        }

        // Takes messages from the link only while the application holds fewer than the prefetch: credit (and so
        // memory) stays bounded by what the application consumes, not by what the hub would send.
        private void PullC2d()
        {
            if (c2d == null) return;
            bool any = false;
            while (c2dReady.Count + c2dOut < (int)Options.C2dPrefetch)
            {
                IncomingDelivery d = c2d.Take();
                if (d == null) break;
                c2dReady.Add(new C2dMessage(d));
                any = true;
            }
            if (any) notices.Add(C2dAvailable);
        }

        /// <summary>The notice that messages are ready to be taken.</summary>
        public static readonly object C2dAvailable = new object();
    }
}

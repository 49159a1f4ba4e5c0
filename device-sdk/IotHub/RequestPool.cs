// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>Reused requests for sends, so a steady send loop allocates no request or wait handle.</summary>
    internal sealed class RequestPool
    {
        /// <summary>A blocking caller takes one per call; a window of BeginSendTelemetry sends one per send in flight.</summary>
        public const int Size = 16;

        private readonly ClientRequest[] free = new ClientRequest[Size];
        private int count;

        public ClientRequest Take()
        {
            lock (free)
            {
                if (count > 0)
                {
                    ClientRequest r = free[--count];
                    free[count] = null;
                    return r;
                }
            }
            return new ClientRequest();
        }

        /// <summary>Returns a completed request; one its caller gave up on stays with the driver and is not reused.</summary>
        public void Return(ClientRequest r)
        {
            if (!r.IsCompleted) return;
            r.Message = null;
            r.Result = null;
            lock (free)
            {
                if (count < free.Length) free[count++] = r;
            }
        }
    }
}

// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.CompilerServices;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>Reused requests for sends, so a steady send loop allocates no request or wait handle.</summary>
    internal sealed class RequestPool
    {
        /// <summary>A blocking caller takes one per call; a window of BeginSendTelemetry sends one per send in flight.</summary>
        public const int Size = 16;

        // The pool is its own lock (Synchronized methods).
        private readonly ClientRequest[] free = new ClientRequest[Size];
        private int count;

        [MethodImpl(MethodImplOptions.Synchronized)]
        public ClientRequest Take()
        {
            if (count == 0) return new ClientRequest();
            ClientRequest r = free[--count];
            free[count] = null;
            return r;
        }

        /// <summary>Returns a completed request; one its caller gave up on stays with the driver and is not reused.</summary>
        [MethodImpl(MethodImplOptions.Synchronized)]
        public void Return(ClientRequest r)
        {
            if (!r.IsCompleted) return;
            r.Message = null;
            r.Result = null;
            if (count < Size) free[count++] = r;
        }
    }
}

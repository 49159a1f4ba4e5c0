// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using System.Runtime.CompilerServices;
using System.Threading;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// Runs the application's handlers (status, C2D, send callbacks) on a thread of their own, after the driver has
    /// left the engine: a handler may block or call the client back without ever stalling the connection.
    /// </summary>
    internal sealed class NoticeDispatcher
    {
        private readonly DeviceClient client;
        private readonly ArrayList queue = new ArrayList(); // the dispatcher is its lock (Synchronized methods)
        private readonly AutoResetEvent posted = new AutoResetEvent(false);
        private bool stopping;
        private Thread thread;

        public NoticeDispatcher(DeviceClient client)
        {
            this.client = client;
        }

        public void Start()
        {
            if (thread != null) return;
            thread = new Thread(Run);
            thread.Start();
        }

        [MethodImpl(MethodImplOptions.Synchronized)]
        public void Post(object notice)
        {
            queue.Add(notice);
            posted.Set();
        }

        /// <summary>Ends the thread once what is queued has run.</summary>
        [MethodImpl(MethodImplOptions.Synchronized)]
        public void Stop()
        {
            stopping = true;
            posted.Set();
        }

        // The oldest notice, or null (then stop says whether the dispatcher was told to end).
        [MethodImpl(MethodImplOptions.Synchronized)]
        private object Next(out bool stop)
        {
            stop = stopping;
            if (queue.Count == 0) return null;
            object n = queue[0];
            queue.RemoveAt(0);
            return n;
        }

        private void Run()
        {
            int linger = 0;
            while (true)
            {
                object n = Next(out bool stop);
                if (n == null)
                {
                    if (stop) return;
                    if (linger > 0)
                    {
                        // More outcomes of the same window are usually on their way: a few yields let them come.
                        linger--;
                        Thread.Sleep(0);
                        continue;
                    }
                    posted.WaitOne();
                    continue;
                }
                linger = ClientDriver.LingerPasses;
                try
                {
                    client.RunNotice(n);
                }
                catch (Exception)
                {
                    // The application's handler must not stop the dispatcher.
                }
            }
        }
    }
}

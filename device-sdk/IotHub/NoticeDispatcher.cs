// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
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
        private readonly ArrayList queue = new ArrayList();
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

        public void Post(object notice)
        {
            lock (queue) queue.Add(notice);
            posted.Set();
        }

        /// <summary>Ends the thread once what is queued has run.</summary>
        public void Stop()
        {
            lock (queue) stopping = true;
            posted.Set();
        }

        private void Run()
        {
            bool ran = false;
            while (true)
            {
                object n = null;
                bool stop;
                lock (queue)
                {
                    if (queue.Count > 0)
                    {
                        n = queue[0];
                        queue.RemoveAt(0);
                    }
                    stop = stopping;
                }
                if (n == null)
                {
                    if (stop) return;
                    if (ran)
                    {
                        // More outcomes of the same window are usually on their way: one yield lets them come.
                        ran = false;
                        Thread.Sleep(0);
                        continue;
                    }
                    posted.WaitOne();
                    continue;
                }
                ran = true;
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

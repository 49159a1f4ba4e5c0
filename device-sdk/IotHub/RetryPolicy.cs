// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// Exponential backoff with jitter for reconnects and failed renewals: the n-th wait is
    /// min(<see cref="MaxDelayMs"/>, <see cref="MinDelayMs"/> x 2^n), spread by +/- <see cref="Jitter"/> so a fleet
    /// of devices does not reconnect in step after a hub outage.
    /// </summary>
    public sealed class RetryPolicy
    {
        /// <summary>First wait, in ms (default 500).</summary>
        public int MinDelayMs = 500;

        /// <summary>Longest wait, in ms (default 30 s).</summary>
        public int MaxDelayMs = 30000;

        /// <summary>Relative spread of each wait, 0 to 1 (default 0.2).</summary>
        public double Jitter = 0.2;

        /// <summary>How many attempts before giving up; 0 means never give up (the default).</summary>
        public int MaxAttempts;

        /// <summary>The wait before attempt <paramref name="attempt"/> (0-based), given a random number in [0, 1).</summary>
        public int DelayMs(int attempt, double random)
        {
            long delay = MinDelayMs, max = MaxDelayMs;
            while (attempt-- > 0 && delay < max) delay += delay;
            if (delay > max) delay = max;
            // random + random: 2 x random exactly, without a double constant in the IL.
            long result = delay + (long)(delay * Jitter * (random + random - 1));
            return result < 0 ? 0 : (int)result;
        }

        /// <summary>True when attempt <paramref name="attempt"/> (0-based) may still be made.</summary>
        public bool MayRetry(int attempt) => MaxAttempts <= 0 || attempt < MaxAttempts;

        /// <summary>
        /// True for an AMQP condition that says "try again" (the hub is busy, restarting or throttling, SASL
        /// sys-temp, the connection dropped), false for one a retry cannot cure (unauthorized, not-found, a bad field).
        /// </summary>
        internal static bool IsTransient(string condition)
        {
            // Comparisons, not a switch (the compiler's length table for seven strings is larger) nor a table
            // (a joined list would put a second copy of every condition into the string table).
            return condition == ErrorCode.ConnectionForced || condition == ErrorCode.ConnectionLost
                || condition == ErrorCode.InternalError || condition == ErrorCode.ResourceLimitExceeded
                || condition == ErrorCode.DetachForced || condition == ErrorCode.Timeout || condition == ServerBusy;
        }

        // IoT Hub's "server busy" condition (throttling at the connection level).
        private const string ServerBusy = "com.microsoft:server-busy";

        internal void Validate()
        {
            int min = MinDelayMs;
            double jitter = Jitter;
            if (min <= 0) throw new ArgumentException("RetryPolicy.MinDelayMs must be positive");
            if (MaxDelayMs < min) throw new ArgumentException("RetryPolicy.MaxDelayMs must be at least MinDelayMs");
            if (!(jitter >= 0 && jitter <= 1)) throw new ArgumentException("RetryPolicy.Jitter must be between 0 and 1");
            if (MaxAttempts < 0) throw new ArgumentException("RetryPolicy.MaxAttempts must not be negative");
        }
    }
}

namespace IotHubAmqp.LocalHub;

/// <summary>Settings of the local Device Provisioning Service endpoint (started with the hub when set).</summary>
public sealed class DpsOptions
{
    /// <summary>The id scope devices register in.</summary>
    public string IdScope { get; set; } = "0ne00000001";

    /// <summary>TLS port of the DPS endpoint; 0 picks a free port (see <see cref="LocalDps.Port"/>).</summary>
    public int Port { get; set; }

    /// <summary>Individual and group enrollments.</summary>
    public DpsEnrollments Enrollments { get; set; } = new();

    /// <summary>The <c>retry-after</c> (seconds) sent with each <c>assigning</c> answer; sent as a string, as the Node SDK reads 0 only then.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Status polls answered <c>assigning</c> before the device is assigned (DPS answers the register with <c>assigning</c> always).</summary>
    public int PollsBeforeAssigned { get; set; }

    /// <summary>Fault injection: this many next register requests are rejected as throttled (429, with <see cref="ThrottleRetryAfterSeconds"/>).</summary>
    public int ThrottleNextRegistrations { get; set; }

    /// <summary>The <c>retry-after</c> of a throttled rejection.</summary>
    public int ThrottleRetryAfterSeconds { get; set; } = 1;
}

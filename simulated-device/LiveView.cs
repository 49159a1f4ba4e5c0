// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Globalization;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>
/// Output on a terminal: a status block of fixed height redrawn in place (ANSI cursor movement) a few times a
/// second, with the latest notable events (commands, feedback, renewals, reconnects) listed inside it.
/// </summary>
internal sealed class LiveView : IEventView
{
    private const int RecentEvents = 10;
    private const int RedrawIntervalMs = 250;
    private const string Esc = "\u001b[";

    private readonly TextWriter output;
    private readonly RunStats stats;
    private readonly string action;
    private readonly object sync = new();
    private readonly Queue<string> recent = new();
    private readonly Timer timer;
    private string title = "IotHubAmqp simulated device - connecting...";
    private int drawnLines;
    private bool disposed;

    public LiveView(TextWriter output, RunStats stats, string action)
    {
        this.output = output;
        this.stats = stats;
        this.action = action;
        output.Write(Esc + "?25l"); // hide the cursor while redrawing
        timer = new Timer(_ => Redraw(), null, 0, RedrawIntervalMs);
    }

    public void Show(DeviceEvent e, RunSnapshot snapshot)
    {
        // Telemetry shows in the counters; the list keeps what a newcomer should notice.
        if (e.Type == EventType.Sent || e.Type == EventType.Accepted) return;
        lock (sync)
        {
            if (e.Type == EventType.Connected)
            {
                title = $"IotHubAmqp simulated device {e.DeviceId} @ {e.HostName} via {e.Endpoint} (auth {e.Auth}{(e.InProcessHub == true ? ", in-process hub" : "")})";
            }

            if (e.Type != EventType.Summary)
            {
                recent.Enqueue(e.Time.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " " + PlainLineView.Describe(e));
                while (recent.Count > RecentEvents) recent.Dequeue();
            }
        }

        if (e.Type == EventType.Summary)
        {
            Finish(PlainLineView.Describe(e));
            return;
        }

        Redraw();
    }

    public void Dispose() => Finish(null);

    // The last draw, then the summary below the block, and the cursor back.
    private void Finish(string? summary)
    {
        lock (sync)
        {
            if (disposed) return;
            disposed = true;
        }

        timer.Dispose();
        lock (sync)
        {
            Draw(stats.Snapshot(), final: true);
            if (summary != null) output.WriteLine(summary);
            output.Write(Esc + "?25h");
            output.Flush();
        }
    }

    private void Redraw()
    {
        RunSnapshot s = stats.Snapshot();
        lock (sync)
        {
            if (disposed) return;
            Draw(s, final: false);
        }
    }

    // Called under sync.
    private void Draw(RunSnapshot s, bool final)
    {
        var lines = new List<string>
        {
            title,
            $"  state      {s.State,-28} uptime {s.Uptime:hh\\:mm\\:ss}",
            $"  telemetry  sent {s.Sent,-8} accepted {s.Accepted,-8} not accepted {s.Rejected}",
            $"  latency    last {PlainLineView.Ms(s.Sent == 0 ? null : s.LastLatencyMs),-12} avg {PlainLineView.Ms(s.Accepted == 0 ? null : s.AverageLatencyMs)}",
            $"  tokens     renewals {s.Renewals,-4} reconnects {s.Reconnects}",
            $"  commands   received {s.CommandsReceived,-4} ({action}) feedback {s.Feedbacks}",
            $"  twin       method calls {s.MethodCalls,-4} desired changes {s.DesiredChanges,-4} reported {s.ReportedUpdates,-4} interval {s.IntervalMs} ms",
            "  recent events:",
        };
        foreach (string r in recent) lines.Add("    " + r);
        while (lines.Count < 8 + RecentEvents) lines.Add("");
        lines.Add(final ? "" : "  Ctrl+C to stop");

        int width = Width();
        var text = new System.Text.StringBuilder();
        if (drawnLines > 0) text.Append(Esc).Append(drawnLines).Append('A'); // back to the block's first line
        foreach (string line in lines)
        {
            // Never wrap: a wrapped line would throw off the count of lines to move up.
            string shown = line.Length >= width ? line.Substring(0, width - 1) : line;
            text.Append('\r').Append(Esc).Append("2K").Append(shown).Append('\n');
        }

        drawnLines = lines.Count;
        output.Write(text.ToString());
        output.Flush();
    }

    private static int Width()
    {
        try
        {
            int w = Console.WindowWidth;
            return w > 20 ? w : 120;
        }
        catch (IOException)
        {
            return 120;
        }
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Benchmarks;

/// <summary>
/// Simulated agents for the detection scenario: every machine sends a heartbeat as soon as it is added (right
/// after its registration) and then every interval, through the gateway, with at most <c>senders</c> requests in
/// flight. A machine that is stopped sends nothing more. Lateness (send time − due time) says whether the load
/// generator kept its schedule; if it did not, "false" transitions may be the generator's fault, not the detector's.
/// </summary>
public sealed class HeartbeatDriver : IAsyncDisposable
{
    private static readonly byte[] Body = """{"agent_version":"bench","status":"ok"}"""u8.ToArray();

    private readonly TimeSpan _interval;
    private readonly int _senders;
    private readonly HttpClient _http;
    private readonly RegisteredMachine?[] _machines;
    private readonly bool[] _stopped;
    /// <summary>Stopped machines the scheduler has dropped from its queue (guarded by <c>_due</c>): resuming one queues it again.</summary>
    private readonly HashSet<int> _dropped = [];
    private readonly int[] _seen;
    private readonly PriorityQueue<int, long> _due = new();
    private readonly Channel<(int Machine, long Due)> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private long _sent, _ok, _errors, _maxLatenessTicks, _seenCount;
    private string _lastError = "";

    public HeartbeatDriver(Uri gateway, int capacity, TimeSpan interval, int senders)
    {
        _interval = interval;
        _senders = senders;
        _machines = new RegisteredMachine?[capacity];
        _stopped = new bool[capacity];
        _seen = new int[capacity];
        _queue = Channel.CreateBounded<(int, long)>(new BoundedChannelOptions(senders * 4) { SingleReader = false, SingleWriter = true });
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = senders,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        }) { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
    }

    public long Sent => Interlocked.Read(ref _sent);
    public long Ok => Interlocked.Read(ref _ok);
    public long Errors => Interlocked.Read(ref _errors);
    public long SeenCount => Interlocked.Read(ref _seenCount);
    public string LastError => _lastError;
    public double MaxLatenessMs => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxLatenessTicks)).TotalMilliseconds;

    public void Start()
    {
        _loops.Add(Task.Run(ScheduleAsync));
        for (var i = 0; i < _senders; i++) _loops.Add(Task.Run(SendAsync));
    }

    /// <summary>The machine starts sending now, then every interval.</summary>
    public void Add(int index, RegisteredMachine machine)
    {
        _machines[index] = machine;
        lock (_due) _due.Enqueue(index, Stopwatch.GetTimestamp());
    }

    /// <summary>Forget the lateness seen so far (registration competes with the load generator for the CPU).</summary>
    public void ResetLateness() => Interlocked.Exchange(ref _maxLatenessTicks, 0);

    /// <summary>These machines send nothing from now on (requests already in flight still land).</summary>
    public void StopMachines(IEnumerable<int> indexes)
    {
        foreach (var i in indexes) Volatile.Write(ref _stopped[i], true);
    }

    /// <summary>These stopped machines send again, starting now.</summary>
    public void ResumeMachines(IEnumerable<int> indexes)
    {
        lock (_due)
            foreach (var i in indexes)
            {
                Volatile.Write(ref _stopped[i], false);
                if (_dropped.Remove(i)) _due.Enqueue(i, Stopwatch.GetTimestamp());
            }
    }

    private async Task ScheduleAsync()
    {
        var ready = new List<(int, long)>();
        var intervalTicks = (long)(_interval.TotalSeconds * Stopwatch.Frequency);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var now = Stopwatch.GetTimestamp();
                lock (_due)
                {
                    while (ready.Count < 10_000 && _due.TryPeek(out var machine, out var due) && due <= now)
                    {
                        _due.Dequeue();
                        if (Volatile.Read(ref _stopped[machine]))
                        {
                            _dropped.Add(machine);
                            continue;
                        }
                        ready.Add((machine, due));
                        _due.Enqueue(machine, due + intervalTicks);
                    }
                }
                foreach (var item in ready) await _queue.Writer.WriteAsync(item, _stop.Token);
                if (ready.Count == 0) await Task.Delay(5, _stop.Token); // pacing: nothing is due yet
                ready.Clear();
            }
        }
        catch (OperationCanceledException) { }
        finally { _queue.Writer.TryComplete(); }
    }

    private async Task SendAsync()
    {
        try
        {
            await foreach (var (index, due) in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                if (Volatile.Read(ref _stopped[index])) continue;
                var machine = _machines[index]!;
                var lateness = Stopwatch.GetTimestamp() - due;
                long seen;
                while (lateness > (seen = Interlocked.Read(ref _maxLatenessTicks)) && Interlocked.CompareExchange(ref _maxLatenessTicks, lateness, seen) != seen) { }
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/heartbeat/{machine.Id}") { Content = new ByteArrayContent(Body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", machine.Token);
                Interlocked.Increment(ref _sent);
                try
                {
                    using var response = await _http.SendAsync(request, _stop.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref _ok);
                        if (Interlocked.Exchange(ref _seen[index], 1) == 0) Interlocked.Increment(ref _seenCount);
                    }
                    else
                    {
                        Interlocked.Increment(ref _errors);
                        _lastError = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(_stop.Token)}";
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref _errors);
                    _lastError = e.Message;
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_loops);
        _http.Dispose();
        _stop.Dispose();
    }
}

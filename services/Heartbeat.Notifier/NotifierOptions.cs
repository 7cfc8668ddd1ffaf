using System.ComponentModel.DataAnnotations;
using Heartbeat.ServiceDefaults;

namespace Heartbeat.Notifier;

/// <summary>The notifier's settings (<c>Notifier:*</c>, env <c>Notifier__*</c>), validated on start.</summary>
public sealed class NotifierOptions : IValidatableObject
{
    /// <summary>
    /// Lets channels point at loopback and private addresses (a receiver on the same host or network). Off by
    /// default, so a channel cannot be used to reach internal services; cloud-metadata addresses are refused anyway.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Where the dashboard is, for the link in human-readable messages.</summary>
    [Required, Url]
    public string DashboardUrl { get; set; } = "http://localhost:8080/";

    [Required]
    public DeliveryOptions Delivery { get; set; } = new();

    [Required]
    public TelegramOptions Telegram { get; set; } = new();

    [Required]
    public SmtpOptions Smtp { get; set; } = new();

    [Required]
    public StormDigestOptions Storm { get; set; } = new();

    /// <summary>Binds <c>Notifier:*</c>; durations accept 00:00:15 as well as 15s, 500ms, 2m (<see cref="Durations"/>).</summary>
    public static void Bind(NotifierOptions o, IConfiguration c)
    {
        o.AllowPrivateTargets = c.GetValue("Notifier:AllowPrivateTargets", o.AllowPrivateTargets);
        // Without a dashboard URL of its own, the platform's public URL (the one ingest hands out) is where the dashboard is.
        o.DashboardUrl = c["Notifier:DashboardUrl"] is { Length: > 0 } dashboard ? dashboard
            : c["Ingest:PublicUrl"] is { Length: > 0 } publicUrl ? publicUrl.TrimEnd('/') + "/" : o.DashboardUrl;
        c.GetSection("Notifier:Telegram").Bind(o.Telegram);
        c.GetSection("Notifier:Smtp").Bind(o.Smtp);
        o.Storm.Machines = c.GetValue("Notifier:Storm:Machines", o.Storm.Machines);
        o.Storm.Window = Durations.Read(c, o.Storm.Window, "Notifier:Storm:Window");
        var d = o.Delivery;
        d.MaxAttempts = c.GetValue("Notifier:Delivery:MaxAttempts", d.MaxAttempts);
        d.MaxConcurrentSends = c.GetValue("Notifier:Delivery:MaxConcurrentSends", d.MaxConcurrentSends);
        d.MaxConcurrentSendsPerChannel = c.GetValue("Notifier:Delivery:MaxConcurrentSendsPerChannel", d.MaxConcurrentSendsPerChannel);
        d.FirstRetryDelay = Durations.Read(c, d.FirstRetryDelay, "Notifier:Delivery:FirstRetryDelay");
        d.MaxRetryDelay = Durations.Read(c, d.MaxRetryDelay, "Notifier:Delivery:MaxRetryDelay");
        d.AttemptTimeout = Durations.Read(c, d.AttemptTimeout, "Notifier:Delivery:AttemptTimeout");
        d.Lease = Durations.Read(c, d.Lease, "Notifier:Delivery:Lease");
        d.PollInterval = Durations.Read(c, d.PollInterval, "Notifier:Delivery:PollInterval");
        d.OfflineWait = Durations.Read(c, d.OfflineWait, "Notifier:Delivery:OfflineWait");
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext context) =>
        Delivery.Validate(context).Concat(Telegram.Validate()).Concat(Smtp.Validate()).Concat(Storm.Validate());
}

public sealed class DeliveryOptions
{
    /// <summary>Attempts in all, the first included; then the delivery fails and goes to the channel's fallback.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Wait after the first failure; doubles each time up to <see cref="MaxRetryDelay"/> (15 s … 15 min: ~1 h for 10 attempts).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one send may take before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a claimed delivery is reserved for the replica that claimed it. Longer than any send; a replica that
    /// dies mid-send frees its deliveries after this, and they are sent again (the one duplicate window).
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often due deliveries are looked for when nothing woke the dispatcher (retries, other replicas' rows).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long an online waits for the offline of its episode to be recorded at all (the two travel on separate
    /// queues); once recorded, the online waits until the offline is settled, however long that takes.
    /// </summary>
    public TimeSpan OfflineWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Sends under way at once in this replica, and at most per channel, so one slow channel cannot take every slot.
    /// A channel's sends are bound by round trips (claim, send, record) more than by the CPU: through a burst of ten
    /// thousand, delivery row → webhook took 3.3–7.3 s at p99 with 32 per channel (four runs), 2.0–4.3 s with 64
    /// (three; scripts/bench notify, docs/benchmarks.md). A receiver that cannot take that many answers 429 or 503 and
    /// is backed off (Retry-After, then the channel's circuit).
    /// </summary>
    public int MaxConcurrentSends { get; set; } = 128;
    public int MaxConcurrentSendsPerChannel { get; set; } = 64;

    public IEnumerable<ValidationResult> Validate(ValidationContext _)
    {
        if (MaxAttempts is < 1 or > 100) yield return Fail("Notifier:Delivery:MaxAttempts must be between 1 and 100.");
        if (FirstRetryDelay <= TimeSpan.Zero) yield return Fail("Notifier:Delivery:FirstRetryDelay must be positive.");
        if (MaxRetryDelay < FirstRetryDelay) yield return Fail("Notifier:Delivery:MaxRetryDelay must be at least FirstRetryDelay.");
        if (AttemptTimeout <= TimeSpan.Zero) yield return Fail("Notifier:Delivery:AttemptTimeout must be positive.");
        if (Lease <= AttemptTimeout * 2) yield return Fail("Notifier:Delivery:Lease must be more than twice AttemptTimeout, so a send never outlives its claim.");
        if (PollInterval <= TimeSpan.Zero) yield return Fail("Notifier:Delivery:PollInterval must be positive.");
        if (OfflineWait < TimeSpan.Zero) yield return Fail("Notifier:Delivery:OfflineWait must not be negative.");
        if (MaxConcurrentSends < 1) yield return Fail("Notifier:Delivery:MaxConcurrentSends must be at least 1.");
        if (MaxConcurrentSendsPerChannel < 1 || MaxConcurrentSendsPerChannel > MaxConcurrentSends)
            yield return Fail("Notifier:Delivery:MaxConcurrentSendsPerChannel must be between 1 and MaxConcurrentSends.");
    }

    private static ValidationResult Fail(string message) => new(message);
}

/// <summary>
/// Alert storms (<c>Notifier:Storm:*</c>): when more than <see cref="Machines"/> machines go offline (or come back)
/// within <see cref="Window"/>, the rest of that window's are told in one digest per channel.
/// </summary>
public sealed class StormDigestOptions
{
    public int Machines { get; set; } = 20;
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(30);

    public Quiet.StormOptions Rule => new(Machines, Window);

    public IEnumerable<ValidationResult> Validate()
    {
        if (Machines is < 1 or > 1_000_000) yield return new ValidationResult("Notifier:Storm:Machines must be between 1 and 1000000.");
        // A digest is sent when its window closes: a window of hours would hold a storm's news back for hours.
        if (Window < TimeSpan.FromSeconds(1) || Window > TimeSpan.FromMinutes(10))
            yield return new ValidationResult("Notifier:Storm:Window must be between 1s and 10m.");
    }
}

public sealed class TelegramOptions
{
    /// <summary>The Bot API's base address; tests point it at a local fake.</summary>
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";

    public IEnumerable<ValidationResult> Validate()
    {
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            yield return new ValidationResult("Notifier:Telegram:ApiBaseUrl must be an absolute http(s) URL.");
    }
}

public sealed class SmtpOptions
{
    public const string None = "none";
    public const string StartTls = "starttls";
    public const string Tls = "tls";

    /// <summary>Unset: e-mail channels cannot be created.</summary>
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? From { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string Security { get; set; } = StartTls;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public IEnumerable<ValidationResult> Validate()
    {
        if (Security is not (None or StartTls or Tls))
            yield return new ValidationResult($"Notifier:Smtp:Security must be {None}, {StartTls} or {Tls}.");
        if (Port is < 1 or > 65535) yield return new ValidationResult("Notifier:Smtp:Port must be a TCP port.");
        if (IsConfigured && string.IsNullOrWhiteSpace(From))
            yield return new ValidationResult("Notifier:Smtp:From is required when Notifier:Smtp:Host is set.");
        if (!string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password))
            yield return new ValidationResult("Notifier:Smtp:Password is required when Notifier:Smtp:Username is set.");
    }
}

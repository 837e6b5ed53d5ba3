namespace KinderQueue.Api.Hosting;

/// <summary>
/// Configuration (section "KinderQueue"; environment variables KinderQueue__DataDir and so on).
/// deploy/CONFIGURATION.md lists every setting.
/// </summary>
public sealed class KinderQueueOptions
{
    public const string Section = "KinderQueue";

    /// <summary>Folder for the embedded SQLite database and the locally generated keys.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>PostgreSQL connection string; when empty the service uses SQLite under DataDir.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>OIDC authority (the region's identity provider). When empty, tokens signed by the local key are accepted.</summary>
    public string? Authority { get; set; }

    /// <summary>Expected audience of bearer tokens.</summary>
    public string Audience { get; set; } = Auth.TokenIssuer.Audience;

    /// <summary>Base64 secret for actor pseudonyms; when empty one is generated under DataDir.</summary>
    public string? PseudonymKey { get; set; }

    /// <summary>Largest request body in bytes (capacity CSV uploads have their own, larger limit).</summary>
    public long MaxRequestBytes { get; set; } = 256 * 1024;

    /// <summary>Largest capacity CSV in bytes.</summary>
    public long MaxCapacityCsvBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How often an instance looks for entries appended by other instances.</summary>
    public int TailIntervalMs { get; set; } = 200;

    /// <summary>
    /// The key that signs public checkpoints: PEM text (an ECDSA P-256 private key, PKCS#8 or SEC1) or the
    /// path of a PEM file. When empty, one is generated as DataDir/checkpoint-signing.pem.
    /// </summary>
    public string? CheckpointKey { get; set; }

    /// <summary>Seconds between checkpoints while the log grows; one is also issued at start and after every allocation round.</summary>
    public int CheckpointIntervalSeconds { get; set; } = 60;

    /// <summary>Public lookups (position, receipt) one client address may make per minute.</summary>
    public int LookupsPerMinute { get; set; } = 120;

    /// <summary>Failed lookups (wrong number or code) one client address may make per window before it must wait.</summary>
    public int FailedLookupsPerWindow { get; set; } = 10;

    /// <summary>The window of <see cref="FailedLookupsPerWindow"/>, in minutes.</summary>
    public int FailedLookupWindowMinutes { get; set; } = 15;

    /// <summary>Failed lookups on one application number, from any address, before each further attempt on it must wait (LookupGuard).</summary>
    public int FailedLookupsPerNumber { get; set; } = 5;

    /// <summary>The first wait, in seconds, once a number is past <see cref="FailedLookupsPerNumber"/>; it doubles with each further failure.</summary>
    public int NumberDelaySeconds { get; set; } = 30;

    /// <summary>The longest wait on a number, in seconds: a stranger's wrong guesses can slow a parent's lookup by at most this much each.</summary>
    public int NumberMaxDelaySeconds { get; set; } = 600;

    /// <summary>Minutes without a failure after which a number's failures are forgotten.</summary>
    public int NumberFailureMemoryMinutes { get; set; } = 60;

    /// <summary>How often the public projection rebuilds the dashboard and the projection "if allocation ran today" when the log grew.</summary>
    public int PublicSnapshotIntervalMs { get; set; } = 1000;

    /// <summary>Requests of each class served at once before more wait (AdmissionControl): parents' lookups.</summary>
    public int LookupConcurrency { get; set; } = 32;

    /// <summary>
    /// Writes (commands) in flight at once. They mostly wait for a group commit, so more of them than
    /// cores make sense; but every one in flight adds to the others' latency when the machine is
    /// saturated, so the limit is a few group commits' worth, not the whole burst.
    /// </summary>
    public int WriteConcurrency { get; set; } = 64;

    /// <summary>Other public reads (dashboard, kindergartens, checkpoint, proofs) and site pages at once.</summary>
    public int PublicReadConcurrency { get; set; } = 64;

    /// <summary>Log exports (NDJSON streams, which can be long) at once.</summary>
    public int ExportConcurrency { get; set; } = 8;

    /// <summary>
    /// Requests of a class that may wait for a slot, as a multiple of its concurrency; beyond that
    /// a request gets 503 with Retry-After at once, so that waiting never grows without bound.
    /// </summary>
    public int AdmissionQueueFactor { get; set; } = 2;

    /// <summary>
    /// Milliseconds a request may wait in its class's line for a slot before it is refused with 503
    /// and Retry-After (0: no bound but the line's length). Bounds the queueing part of latency
    /// whatever the speed of the class under overload.
    /// </summary>
    public int AdmissionMaxWaitMs { get; set; } = 250;

    /// <summary>
    /// The origin line of the C2SP checkpoint notes and the name of their key, a schema-less URL that
    /// names the region's log (e.g. <c>queue.edu.example.ru/log</c>); empty: <c>kinderqueue/</c> and the
    /// first 16 hex digits of the log id. It is part of what witnesses and validators pin: set it once.
    /// </summary>
    public string? LogOrigin { get; set; }

    /// <summary>
    /// Witnesses that cosign every checkpoint (c2sp.org/tlog-witness; SPEC.md §11.2b), e.g.
    /// KinderQueue__Witnesses__0__Url and KinderQueue__Witnesses__0__VerifierKey. Empty: no witness.
    /// </summary>
    public List<WitnessOptions> Witnesses { get; set; } = [];

    /// <summary>Writing the log as static tiles into a folder (SPEC.md §11.7; deploy/CONFIGURATION.md, "Serving the log as static tiles").</summary>
    public TilesOptions Tiles { get; set; } = new();
}

/// <summary>The tiles folder the service keeps current as the log grows (<c>KinderQueue:Tiles:Directory</c>).</summary>
public sealed class TilesOptions
{
    /// <summary>The folder a static host or CDN serves as the tiled log's prefix; empty (the default): no folder is written.</summary>
    public string? Directory { get; set; }
}

/// <summary>One witness the service submits its checkpoints to (deploy/CONFIGURATION.md, "Witnesses").</summary>
public sealed class WitnessOptions
{
    /// <summary>The witness's submission prefix: add-checkpoint is POSTed to Url + "/add-checkpoint".</summary>
    public string Url { get; set; } = "";

    /// <summary>The witness's verifier key (name+id+base64(0x04 ‖ key)), as <c>kq witness</c> prints it; only its cosignatures are kept.</summary>
    public string VerifierKey { get; set; } = "";

    /// <summary>Time allowed for one request; a witness slower than this counts as down.</summary>
    public int TimeoutMs { get; set; } = 5000;

    /// <summary>Base delay between retries of one submission (exponential, with jitter).</summary>
    public int RetryDelayMs { get; set; } = 1000;

    /// <summary>How long the circuit stays open (no request sent) once the witness failed repeatedly.</summary>
    public int BreakSeconds { get; set; } = 30;
}

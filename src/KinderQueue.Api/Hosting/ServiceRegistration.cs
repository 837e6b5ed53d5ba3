using System.Security.Cryptography;
using KinderQueue.Api.Auth;
using KinderQueue.Api.Endpoints;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Postgres;
using KinderQueue.Storage.Sqlite;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.IdentityModel.Tokens;
using NodaTime;

namespace KinderQueue.Api.Hosting;

/// <summary>Everything Program.cs wires up, in one place.</summary>
public static class ServiceRegistration
{
    public static WebApplicationBuilder AddKinderQueue(this WebApplicationBuilder builder)
    {
        // Hosting, routing and Kestrel log every request at Information (four lines a request), which
        // under load cost more than the request itself. Warnings and errors still show. This is the
        // lowest-priority source, so configuration (Logging__LogLevel__Microsoft.AspNetCore) overrides it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });
        var services = builder.Services;
        var options = builder.Configuration.GetSection(KinderQueueOptions.Section).Get<KinderQueueOptions>() ?? new KinderQueueOptions();
        services.AddSingleton(options);
        services.AddSingleton<IClock>(SystemClock.Instance);
        services.AddSingleton<ILogStore>(_ => string.IsNullOrWhiteSpace(options.PostgresConnectionString)
            ? SqliteLogStore.InFolder(options.DataDir)
            : new PostgresLogStore(options.PostgresConnectionString));
        services.AddSingleton(sp => new LiveLog(sp.GetRequiredService<ILogStore>(), sp.GetRequiredService<IClock>(),
            tailInterval: TimeSpan.FromMilliseconds(options.TailIntervalMs)));
        services.AddSingleton<StartupProgress>();
        services.AddHostedService<LiveLogHost>();
        services.AddPublicLog(options);
        services.AddPublicQueue();
        Federal.FederalRegistration.AddFederalPortal(services, builder.Configuration);
        Signals.SignalsRegistration.AddSignals(services);
        builder.AddKinderQueueTelemetry();

        var pseudonymKey = string.IsNullOrWhiteSpace(options.PseudonymKey)
            ? LocalKeys.LoadOrCreateSecret(Path.Combine(options.DataDir, "pseudonym.key"))
            : Convert.FromBase64String(options.PseudonymKey);
        services.AddSingleton(new Pseudonyms(pseudonymKey));

        AddAuthentication(builder, options);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // Whatever the environment, no exception detail or stack trace leaves the server.
            ctx.ProblemDetails.Extensions.Remove("exception");
            // Problems the framework writes (routing, authentication, status code pages) get the errors list ours have.
            if (!ctx.ProblemDetails.Extensions.ContainsKey("errors"))
                ctx.ProblemDetails.Extensions["errors"] = new[] { FrameworkError(ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode) };
            if (ctx.Exception is not null && ServiceFaults.Describe(ctx.Exception) is { } fault)
            {
                ctx.ProblemDetails.Title = fault.Title;
                ctx.ProblemDetails.Detail = fault.Detail;
                ctx.ProblemDetails.Type = $"https://kinderqueue.example/problems/{fault.Code}";
                ctx.ProblemDetails.Extensions["errors"] = new[] { new Dictionary<string, string> { ["path"] = "$", ["code"] = fault.Code, ["message"] = fault.Title } };
                if (fault.RetryAfterSeconds is { } seconds) ctx.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        services.AddAdmissionControl(options);
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "KinderQueue API";
                doc.Info.Description = "Transparent kindergarten queue: staff, operator and parent commands. Errors are RFC 9457 problem details.";
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(Endpoints.IdempotencyKeyParameter.TransformAsync);
            o.AddDocumentTransformer(Endpoints.OperationSecurity.AddSchemeAsync);
            o.AddOperationTransformer(Endpoints.OperationSecurity.TransformAsync);
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.AddServerHeader = false;
        });
        return builder;
    }

    private static Dictionary<string, string> FrameworkError(int status)
    {
        var (path, code, message) = status switch
        {
            StatusCodes.Status401Unauthorized => ("$header.Authorization", "auth.unauthenticated", "A valid bearer token is required."),
            StatusCodes.Status403Forbidden => ("$", "auth.forbidden", "Your role may not do this."),
            StatusCodes.Status404NotFound => ("$path", "route.not-found", "No such resource."),
            StatusCodes.Status405MethodNotAllowed => ("$method", "request.method", "This resource does not take that method."),
            StatusCodes.Status413PayloadTooLarge => ("$", "request.too-large", "The body is too large."),
            StatusCodes.Status415UnsupportedMediaType => ("$header.Content-Type", "request.content-type", "This resource does not take that content type."),
            StatusCodes.Status503ServiceUnavailable => ("$", "service.unavailable", "The queue is temporarily unavailable."),
            >= 500 => ("$", "server.error", "The server failed; nothing was recorded."),
            _ => ("$", "request.invalid", "The request is not valid."),
        };
        return new Dictionary<string, string> { ["path"] = path, ["code"] = code, ["message"] = message };
    }

    private static void AddAuthentication(WebApplicationBuilder builder, KinderQueueOptions options)
    {
        var auth = builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        if (!string.IsNullOrWhiteSpace(options.Authority))
        {
            auth.AddJwtBearer(o =>
            {
                UseValidatedTokenCache(o);
                o.Authority = options.Authority;
                o.Audience = options.Audience;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.RoleClaimType = "role";
                o.TokenValidationParameters.NameClaimType = "sub";
            });
        }
        else
        {
            var key = new ECDsaSecurityKey(LocalKeys.LoadOrCreateEcdsa(Path.Combine(options.DataDir, "token-signing.pem")));
            builder.Services.AddSingleton(new TokenIssuer(key));
            auth.AddJwtBearer(o =>
            {
                UseValidatedTokenCache(o);
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = TokenIssuer.Issuer,
                    ValidAudience = options.Audience,
                    IssuerSigningKey = key,
                    RoleClaimType = "role",
                    NameClaimType = "sub",
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });
        }
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Registrar, p => p.RequireRole(Roles.Registrar))
            .AddPolicy(Policies.Verifier, p => p.RequireRole(Roles.Verifier))
            .AddPolicy(Policies.Allocator, p => p.RequireRole(Roles.Allocator))
            .AddPolicy(Policies.Applicant, p => p.RequireRole(Roles.Operator, Roles.Parent))
            .AddPolicy(Policies.OfferResponder, p => p.RequireRole(Roles.Allocator, Roles.Operator, Roles.Parent))
            .AddPolicy(Policies.Validator, p => p.RequireRole(Roles.Validator))
            .AddPolicy(Policies.FederalPortal, p => p.RequireRole(Roles.FederalPortal))
            .AddPolicy(Policies.Inspector, p => p.RequireRole(Roles.Inspector));
    }

    /// <summary>One validation (an ES256 signature check) per token rather than per request; see ValidatedTokenCache.</summary>
    private static void UseValidatedTokenCache(JwtBearerOptions o)
    {
        o.TokenHandlers.Clear();
        o.TokenHandlers.Add(new ValidatedTokenCache { MapInboundClaims = false });
    }

    public static WebApplication MapKinderQueue(this WebApplication app)
    {
        app.UseNoStoreForLookups();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A database outage is a 503 the client can retry, a full disk a 507, never a 500 (ServiceFaults).
            StatusCodeSelector = ServiceFaults.StatusCode,
        });
        // While the log is folded in the background: probes answer, other requests wait (bounded) or get a 503.
        app.UseMiddleware<StartGate>();
        // Before anything costly: a shed request costs almost nothing.
        app.UseRateLimiter();
        app.UseMiddleware<RequestLimits>();
        app.UsePublicSite();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/openapi/v1.json", "KinderQueue API v1");
            o.RoutePrefix = "swagger";
        });
        app.MapHealthApi();
        var v1 = app.MapGroup("/api/v1");
        v1.MapStaffApi();
        v1.MapApplicationsApi();
        v1.MapAuditApi();
        v1.MapPublicLogApi();
        v1.MapPublicQueueApi();
        v1.MapFederalPortalApi();
        v1.MapSignalsApi();
        return app;
    }
}

public static class Policies
{
    public const string Registrar = "registrar";
    public const string Verifier = "verifier";
    public const string Allocator = "allocator";
    public const string Applicant = "applicant";
    public const string OfferResponder = "offer-responder";
    public const string Validator = "validator";
    public const string FederalPortal = "federal-portal";
    public const string Inspector = "inspector";
}

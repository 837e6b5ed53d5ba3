using KinderQueue.Api.Auth;
using Microsoft.IdentityModel.Tokens;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// <c>dotnet run --project src/KinderQueue.Api -- token --role registrar [--role verifier] [--subject alice] [--hours 8] [--data-dir data]</c>:
/// prints a bearer token signed with the embedded default's local key (under the data folder),
/// which the service accepts when no OIDC authority is configured.
/// </summary>
public static class LocalTokenCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var roles = new List<string>();
        string? subject = null;
        var hours = 8.0;
        var dataDir = Environment.GetEnvironmentVariable("KinderQueue__DataDir") ?? "data";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--role" when value is not null: roles.Add(value); i++; break;
                case "--subject" when value is not null: subject = value; i++; break;
                case "--hours" when value is not null && double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var h) && h > 0 && h <= 24 * 30: hours = h; i++; break;
                case "--data-dir" when value is not null: dataDir = value; i++; break;
                default:
                    stderr.WriteLine($"token: unexpected argument '{args[i]}'.");
                    return Usage(stderr);
            }
        }
        var unknown = roles.Where(r => !Roles.All.Contains(r)).ToList();
        if (roles.Count == 0 || unknown.Count > 0)
        {
            if (unknown.Count > 0) stderr.WriteLine($"token: unknown role(s): {string.Join(", ", unknown)}.");
            return Usage(stderr);
        }
        var key = new ECDsaSecurityKey(LocalKeys.LoadOrCreateEcdsa(Path.Combine(dataDir, "token-signing.pem")));
        var token = new TokenIssuer(key).Issue(subject ?? $"local-{roles[0]}", roles, TimeSpan.FromHours(hours), DateTime.UtcNow);
        stdout.WriteLine(token);
        return 0;
    }

    private static int Usage(TextWriter stderr)
    {
        stderr.WriteLine($"usage: token --role <{string.Join("|", Roles.All)}> [--role ...] [--subject id] [--hours 8] [--data-dir data]");
        return 2;
    }
}

using System.Reflection;

namespace KinderQueue.Storage.Migrations;

/// <summary>The embedded migration scripts of one backend, in order of their file names.</summary>
internal static class MigrationScripts
{
    public static IReadOnlyList<(string Id, string Sql)> For(string backend)
    {
        var assembly = typeof(MigrationScripts).Assembly;
        var prefix = backend switch
        {
            "sqlite" => "Migrations/Sqlite/",
            "postgres" => "Migrations/Postgres/",
            _ => throw new ArgumentOutOfRangeException(nameof(backend)),
        };
        return assembly.GetManifestResourceNames()
            .Select(n => n.Replace('\\', '/'))
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (Path.GetFileNameWithoutExtension(n), Read(assembly, n)))
            .ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? assembly.GetManifestResourceStream(name.Replace('/', '\\'))
            ?? throw new InvalidOperationException($"Migration {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

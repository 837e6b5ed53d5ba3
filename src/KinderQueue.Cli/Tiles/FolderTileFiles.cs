using KinderQueue.Core.Log.Tiles;

namespace KinderQueue.Cli.Tiles;

/// <summary>A tiled log in a folder: each path under the prefix is a file, written to a temp file and renamed into place.</summary>
internal sealed class FolderTileFiles(string root) : ITileFiles
{
    public string Root { get; } = Path.GetFullPath(root);

    public bool Exists(string path) => File.Exists(Full(path));

    public byte[]? Read(string path)
    {
        var full = Full(path);
        return File.Exists(full) ? File.ReadAllBytes(full) : null;
    }

    public void Write(string path, byte[] bytes)
    {
        var full = Full(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // A static host may serve the folder while it is written: rename is atomic, a half-written file is never in place.
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, full, overwrite: true);
    }

    private string Full(string path) => Path.Combine(Root, path.Replace('/', Path.DirectorySeparatorChar));
}

using KinderQueue.Core.Log.Tiles;

namespace KinderQueue.Api.PublicLog.Tiles;

/// <summary>
/// A tiled log in a folder a static host serves: each path under the prefix is a file, written to a
/// temporary name and renamed into place, so the host never serves half of one. The temporary name is
/// random, not the process id: replicas in containers all run as pid 1 and may share the folder.
/// </summary>
public sealed class TileFolder(string root) : ITileFiles
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
        var temp = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private string Full(string path) => Path.Combine(Root, path.Replace('/', Path.DirectorySeparatorChar));
}

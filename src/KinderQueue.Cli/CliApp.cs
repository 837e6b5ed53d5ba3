namespace KinderQueue.Cli;

/// <summary>
/// The <c>kq</c> command line. Exit codes: 0 success, 1 a check found a difference,
/// 2 usage or input error (with a message naming the file, the field and the problem).
/// </summary>
public static class CliApp
{
    public const int Ok = 0;
    public const int Found = 1;
    public const int InputError = 2;

    private const string Usage = """
        kq — KinderQueue tools for validators and staff

          kq allocate <scenario.json>                 run one allocation round, print the result as JSON
          kq explain <scenario.json> <number>         explain one application's result in plain words
          kq vectors check <vectors-dir>              recompute every spec vector and report differences
          kq vectors regenerate <vectors-dir>         rewrite every vector's expected output
          {VERIFY}
          {PRIVACY}
          {RECEIPT}
          {TILES}
          {WITNESS}

        Exit codes: 0 ok (verify: intact; privacy: no typed text), 1 a difference or problem was found, 2 usage, input or network error.
        """;

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) => RunAsync(args, stdout, stderr, http: null);

    /// <param name="http">
    /// What <c>kq verify</c>, <c>kq privacy</c> and <c>kq receipt</c> send their requests through (tests route them to an in-memory service);
    /// null for the network.
    /// </param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? http)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["verify", .. var rest]) return await Verify.VerifyCommand.RunAsync(rest, stdout, stderr, http).ConfigureAwait(false);
        if (args is ["privacy", .. var privacy]) return await Privacy.PrivacyCommand.RunAsync(privacy, stdout, stderr, http).ConfigureAwait(false);
        if (args is ["publish-tiles", .. var tiles]) return await Tiles.PublishTilesCommand.RunAsync(tiles, stdout, stderr, http).ConfigureAwait(false);
        if (args is ["receipt", .. var receipt]) return await ReceiptCommand.RunAsync(receipt, stdout, stderr, http).ConfigureAwait(false);
        if (args is ["witness", .. var witness]) return await Witnessing.WitnessCommand.RunAsync(witness, stdout, stderr).ConfigureAwait(false);
        return args switch
        {
            ["allocate", var file] => AllocateCommand.Allocate(file, stdout, stderr),
            ["explain", var file, var number] => AllocateCommand.Explain(file, number, stdout, stderr),
            ["vectors", "check", var dir] => VectorsCommand.Run(dir, regenerate: false, stdout, stderr),
            ["vectors", "regenerate", var dir] => VectorsCommand.Run(dir, regenerate: true, stdout, stderr),
            ["--help" or "-h" or "help"] => PrintUsage(stdout, Ok),
            _ => PrintUsage(stderr, InputError),
        };
    }

    private static int PrintUsage(TextWriter writer, int code)
    {
        writer.WriteLine(Usage.Replace("{VERIFY}", Verify.VerifyCommand.Usage.TrimEnd().TrimStart(), StringComparison.Ordinal)
            .Replace("{PRIVACY}", Privacy.PrivacyCommand.Usage.TrimEnd().TrimStart(), StringComparison.Ordinal)
            .Replace("{RECEIPT}", ReceiptCommand.Usage, StringComparison.Ordinal)
            .Replace("{TILES}", Tiles.PublishTilesCommand.Usage.TrimEnd().TrimStart(), StringComparison.Ordinal)
            .Replace("{WITNESS}", Witnessing.WitnessCommand.Usage.TrimEnd().TrimStart(), StringComparison.Ordinal));
        return code;
    }
}

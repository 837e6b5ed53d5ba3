namespace KinderQueue.Cli;

// A named entry point, not top-level statements: with the ASP.NET Core framework referenced (kq witness),
// a top-level Program would be made public and clash with the service's Program in the API tests.
internal static class Program
{
    private static Task<int> Main(string[] args) => CliApp.RunAsync(args, Console.Out, Console.Error);
}

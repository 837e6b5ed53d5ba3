using KinderQueue.Api.Hosting;

// `token` mints a local bearer token; otherwise run the service (optionally with `--demo`).
if (args.Length > 0 && args[0] == "token") return LocalTokenCommand.Run(args[1..], Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.AddKinderQueue();
var app = builder.Build();
app.MapKinderQueue();
if (args.Contains("--demo")) app.Lifetime.ApplicationStarted.Register(() => KinderQueue.Api.Demo.DemoStarter.Start(app));
app.Run();
return 0;

/// <summary>Lets WebApplicationFactory find the entry point.</summary>
public partial class Program;

using KinderQueue.Api.Hosting;

// `token` mints a local bearer token; `migrate` applies the database migrations and exits (run it with
// the owner's connection string when the service itself runs as a kq_app member); otherwise run the
// service, optionally with `--demo`.
if (args.Length > 0 && args[0] == "token") return LocalTokenCommand.Run(args[1..], Console.Out, Console.Error);

// `--demo` is a flag, not a setting: given to the configuration it would take the next argument as its
// value (`--demo --KinderQueue:DataDir=x` silently lost the data folder).
var demo = args.Contains("--demo");
var builder = WebApplication.CreateBuilder([.. args.Where(a => a != "--demo")]);
builder.AddKinderQueue();
var app = builder.Build();
if (args.Length > 0 && args[0] == "migrate") return await MigrateCommand.RunAsync(app, Console.Out);
app.MapKinderQueue();
if (demo) app.Lifetime.ApplicationStarted.Register(() => KinderQueue.Api.Demo.DemoStarter.Start(app));
app.Run();
return 0;

/// <summary>Lets WebApplicationFactory find the entry point.</summary>
public partial class Program;

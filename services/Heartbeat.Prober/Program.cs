using Heartbeat.Prober;
using Heartbeat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddProber();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;

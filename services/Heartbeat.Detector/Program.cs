using Heartbeat.Detector;
using Heartbeat.Detector.Platform;
using Heartbeat.Detector.Status;
using Heartbeat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddDetector();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMachinesApi();
app.MapPlatformApi();
app.Run();

public partial class Program;

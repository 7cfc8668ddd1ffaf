using Heartbeat.Detector;
using Heartbeat.Detector.Platform;
using Heartbeat.Detector.Badges;
using Heartbeat.Detector.Status;
using Heartbeat.Detector.StatusPages;
using Heartbeat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddDetector();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOpenApi();               // /openapi/v1.json, merged by the gateway
app.MapMachinesApi();
app.MapPlatformApi();
app.MapKeyApi();
app.MapStatusPagesApi();
app.MapBadgesApi();
app.Run();

public partial class Program;

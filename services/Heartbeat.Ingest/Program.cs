using Heartbeat.Ingest;
using Heartbeat.Ingest.Pings;
using Heartbeat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngest();

var app = builder.Build();
app.UseForwardedHeaders();
app.MapDefaultEndpoints();
app.MapOpenApi();               // /openapi/v1.json, merged by the gateway
app.MapMachinesApi();
app.MapHeartbeatsApi();
app.MapPingsApi();
app.Run();

public partial class Program;

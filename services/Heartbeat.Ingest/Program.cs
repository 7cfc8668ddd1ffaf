using Heartbeat.Ingest;
using Heartbeat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngest();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOpenApi();               // /openapi/v1.json, merged by the gateway
app.MapMachinesApi();
app.MapHeartbeatsApi();
app.Run();

public partial class Program;

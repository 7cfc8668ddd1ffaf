using Heartbeat.Gateway;
using Heartbeat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();          // YARP from the ReverseProxy section, body limit, readiness probes

var app = builder.Build();
app.MapDefaultEndpoints();     // /health/live, /health/ready (the gateway itself)
app.UseDefaultFiles();         // / -> wwwroot/index.html, the dashboard
app.UseStaticFiles();
app.MapServiceReadiness();     // /health: the gateway and every service behind it
app.MapPublicOpenApi();        // /openapi/v1.json merged from the services, /api/docs its reference page
app.MapGatewayProxy();         // /api/... -> ingest, detector, notifier
app.Run();

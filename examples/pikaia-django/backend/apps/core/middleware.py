"""The seed's fix for ALB health checks (Troubleshooting, "DisallowedHost"): answer /api/v1/health before
SecurityMiddleware checks ALLOWED_HOSTS against the container's private IP. First in MIDDLEWARE."""
from django.http import JsonResponse


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/api/v1/health":
            return JsonResponse({"status": "ok"})
        return self.get_response(request)

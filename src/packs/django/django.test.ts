import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import { regexRoute } from './index.js';

const project = {
  'config/settings.py': `
ROOT_URLCONF = "config.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379"}}
`,
  'config/urls.py': `
from django.contrib import admin
from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter
from shop.views import OrderViewSet, health, ProductDetail

router = DefaultRouter()
router.register(r"orders", OrderViewSet, basename="order")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/catalog/", include("shop.urls")),
    re_path(r"^healthz/$", health),
    path("products/<int:pk>/", ProductDetail.as_view()),
]
`,
  'shop/__init__.py': '',
  'shop/urls.py': `
from django.urls import path
from . import views

urlpatterns = [
    path("search/", views.search, name="search"),
]
`,
  'shop/models.py': `
from django.db import models

class Order(models.Model):
    total = models.IntegerField()

class Product(models.Model):
    name = models.CharField(max_length=100)
`,
  'shop/views.py': `
from django.core.cache import cache
from django.http import JsonResponse
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.views import APIView
from shop.models import Order, Product

class OrderViewSet(viewsets.ModelViewSet):
    def get_queryset(self):
        return Order.objects.filter(total__gt=0)

    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        order = Order.objects.get(pk=pk)
        order.total = 0
        order.save()
        return JsonResponse({})

class ProductDetail(APIView):
    def get(self, request, pk):
        cached = cache.get(f"product:{pk}")
        return JsonResponse(cached or {"name": Product.objects.get(pk=pk).name})

@api_view(["GET"])
def search(request):
    return JsonResponse([p.name for p in Product.objects.filter(name__icontains=request.GET.get("q", ""))[:20]], safe=False)

def health(request):
    return JsonResponse({"ok": True})
`,
};

test('django: ROOT_URLCONF, include() of a module and of a DRF router, re_path, class-based views and viewset actions', async () => {
  const m = await scanModel(project);
  assert.deepEqual(m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort(), [
    'entrypoint:ALL /healthz', 'entrypoint:DELETE /api/orders/:pk', 'entrypoint:GET /api/catalog/search', 'entrypoint:GET /api/orders', 'entrypoint:GET /api/orders/:pk',
    'entrypoint:GET /products/:pk', 'entrypoint:PATCH /api/orders/:pk', 'entrypoint:POST /api/orders', 'entrypoint:POST /api/orders/:pk/refund', 'entrypoint:PUT /api/orders/:pk',
  ]);
});

test('django: ORM calls are postgres reads/writes (settings DATABASES), the cache API is Redis (settings CACHES)', async () => {
  const m = await scanModel(project);
  const reach = (ep: string) => [...new Set(m.edges.filter((e) => e.entrypoints?.includes(ep) && /^(datastore|cache):/.test(e.to)).map((e) => `${e.kind}>${e.to}`))].sort();
  assert.deepEqual(reach('entrypoint:POST /api/orders/:pk/refund'), ['reads>datastore:postgres', 'writes>datastore:postgres']);
  assert.deepEqual(reach('entrypoint:GET /products/:pk'), ['reads>datastore:postgres', 'uses>cache:redis']);
  assert.deepEqual(reach('entrypoint:ALL /healthz'), []);
});

test('django: regex routes become paths with :params', () => {
  assert.equal(regexRoute('^users/(?P<pk>[0-9]+)/$'), 'users/:pk/');
  assert.equal(regexRoute('^thumbnail/(?P<id>[.0-9A-Za-z_=\\-]+)/(?P<size>\\d+)/(?:(?P<format>[a-zA-Z]+)/)?'), 'thumbnail/:id/:size/');
  assert.equal(regexRoute('^\\.well-known/jwks.json$'), '.well-known/jwks.json');
});

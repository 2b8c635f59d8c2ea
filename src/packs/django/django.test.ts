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

test('django: ROOT_URLCONF, include() of a module and of a DRF router (its DefaultRouter API root too), re_path, class-based views and viewset actions', async () => {
  const m = await scanModel(project);
  assert.deepEqual(m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort(), [
    'entrypoint:ALL /healthz', 'entrypoint:DELETE /api/orders/:pk', 'entrypoint:GET /api', 'entrypoint:GET /api/catalog/search', 'entrypoint:GET /api/orders', 'entrypoint:GET /api/orders/:pk',
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

test('django: a DRF viewset names its detail segment by lookup_url_kwarg, else lookup_field (inherited too); a SimpleRouter has no API root', async () => {
  const m = await scanModel({
    'config/settings.py': `ROOT_URLCONF = "config.urls"\n`,
    'config/urls.py': `
from django.urls import include, path
from rest_framework.routers import SimpleRouter
from blog.views import ArticleViewSet, CommentViewSet, TagViewSet

router = SimpleRouter(trailing_slash=False)
router.register(r"articles", ArticleViewSet)
router.register(r"comments", CommentViewSet)
router.register(r"tags", TagViewSet)

urlpatterns = [path("api/", include(router.urls))]
`,
    'blog/__init__.py': '',
    'blog/views.py': `
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

class BySlug(viewsets.GenericViewSet):
    lookup_field = "slug"

class ArticleViewSet(mixins.RetrieveModelMixin, BySlug):
    @action(detail=True, methods=["post"])
    def publish(self, request, slug=None):
        return None

class CommentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "uuid"
    lookup_url_kwarg = "comment_id"

class TagViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass
`,
  });
  assert.deepEqual(m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort(), [
    'entrypoint:GET /api/articles/:slug', 'entrypoint:GET /api/comments/:comment_id', 'entrypoint:GET /api/tags/:pk', 'entrypoint:POST /api/articles/:slug/publish',
  ]);
});

test('django: a generic list view whose class only overrides filter_queryset is handled by it', async () => {
  const m = await scanModel({
    'config/settings.py': `ROOT_URLCONF = "config.urls"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}\n`,
    'config/urls.py': `
from django.urls import path
from blog.views import CommentsList
urlpatterns = [path("comments/", CommentsList.as_view())]
`,
    'blog/__init__.py': '',
    'blog/models.py': `
from django.db import models
class Comment(models.Model):
    body = models.TextField()
`,
    'blog/views.py': `
from rest_framework import generics
from blog.models import Comment

class CommentsList(generics.ListAPIView):
    queryset = Comment.objects.all()

    def filter_queryset(self, queryset):
        return Comment.objects.filter(body__isnull=False).first()
`,
  });
  assert.ok(m.edges.some((e) => e.to === 'datastore:sqlite' && e.entrypoints?.includes('entrypoint:GET /comments')));
});

test('django: reading request data in a view (`self.request.query_params.get`, `self.request.data.get`) is not a database read (trap); a queryset held in a variable still is', async () => {
  const m = await scanModel({
    'config/settings.py': `ROOT_URLCONF = "config.urls"\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n`,
    'config/urls.py': `
from django.urls import path
from blog.views import Search, Listing
urlpatterns = [path("search/", Search.as_view()), path("list/", Listing.as_view())]
`,
    'blog/__init__.py': '',
    'blog/models.py': `
from django.db import models
class Post(models.Model):
    title = models.CharField(max_length=100)
`,
    'blog/views.py': `
from rest_framework.views import APIView
from rest_framework.response import Response
from blog.models import Post

class Search(APIView):
    def post(self, request):
        q = self.request.data.get("q")
        page = self.request.query_params.get("page")
        return Response({"q": q, "p": page})

class Listing(APIView):
    def get(self, request):
        qs = Post.objects
        return Response([p.title for p in qs.filter(title__isnull=False)[:20]])
`,
  });
  assert.ok(!m.edges.some((e) => e.to === 'datastore:postgres' && e.entrypoints?.includes('entrypoint:POST /search')));
  assert.ok(m.edges.some((e) => e.to === 'datastore:postgres' && e.kind === 'reads' && e.entrypoints?.includes('entrypoint:GET /list')));
});

test('django: DRF authenticates every API view request first — the project authentication class from settings (or the view\'s own authentication_classes) runs before the handler', async () => {
  const m = await scanModel({
    'config/settings.py': `
ROOT_URLCONF = "config.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ("accounts.backends.JWTAuthentication",)}
`,
    'config/urls.py': `
from django.urls import path
from accounts.views import Me, Public, legacy
urlpatterns = [path("me/", Me.as_view()), path("public/", Public.as_view()), path("legacy/", legacy)]
`,
    'accounts/__init__.py': '',
    'accounts/models.py': `
from django.db import models
class Account(models.Model):
    name = models.CharField(max_length=100)
`,
    'accounts/backends.py': `
from rest_framework import authentication
from accounts.models import Account

class JWTAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        return (Account.objects.get(pk=1), None)
`,
    'accounts/views.py': `
from django.http import JsonResponse
from rest_framework.views import APIView
from rest_framework.response import Response

class Me(APIView):
    def get(self, request):
        return Response({})

class Public(APIView):
    authentication_classes = ()

    def get(self, request):
        return Response({})

def legacy(request):
    return JsonResponse({})
`,
  });
  const reads = (ep: string) => m.edges.some((e) => e.to === 'datastore:postgres' && e.entrypoints?.includes(ep));
  assert.equal(reads('entrypoint:GET /me'), true);
  assert.equal(reads('entrypoint:GET /public'), false);
  assert.equal(reads('entrypoint:ALL /legacy'), false);
});

test('django: an f-string route whose parts are known (a module-level prefix) is read; one with an unknown part is left out (trap)', async () => {
  const m = await scanModel({
    'config/settings.py': 'ROOT_URLCONF = "config.urls"\n',
    'config/urls.py': `
from django.conf import settings
from django.urls import path
from accounts import views

prefix = ""
version = "v2"

urlpatterns = [
    path(f"{prefix}admin/login/", views.login),
    path(f"api/{version}/status/", views.status),
    path(f"{settings.SITE_PATH}/legacy/", views.legacy),
]
`,
    'accounts/__init__.py': '',
    'accounts/views.py': `
from django.http import JsonResponse


def login(request):
    return JsonResponse({})


def status(request):
    return JsonResponse({"ok": True})


def legacy(request):
    return JsonResponse({})
`,
  });
  assert.deepEqual(m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort(), ['entrypoint:ALL /admin/login', 'entrypoint:ALL /api/v2/status']);
});

test('django: routes of a pattern list held in a variable carry their own lines, and the routes after its include keep theirs', async () => {
  const m = await scanModel({
    'config/settings.py': 'ROOT_URLCONF = "config.urls"\n',
    'config/urls.py': `from django.urls import include, path
from accounts import views

api_urls = [
    path("checks/", views.checks),
    path("badges/", views.badges),
]

urlpatterns = [
    path("api/v1/", include(api_urls)),
    path("api/v2/", include(api_urls)),
    path("status/", views.status),
]
`,
    'accounts/__init__.py': '',
    'accounts/views.py': `from django.http import JsonResponse


def checks(request):
    return JsonResponse({})


def badges(request):
    return JsonResponse({})


def status(request):
    return JsonResponse({})
`,
  });
  const lines = Object.fromEntries(m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => [n.id.replace('entrypoint:ALL ', ''), n.evidence[0].line]));
  assert.deepEqual(lines, { '/api/v1/checks': 5, '/api/v1/badges': 6, '/api/v2/checks': 5, '/api/v2/badges': 6, '/status': 12 });
});

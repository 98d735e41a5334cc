// No public API: the library is loaded with dlopen (Sources/CDlib/hog_dispatch.cpp).

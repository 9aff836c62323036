package io.xdevfs.tests;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The {@code [local]} lines a {@link OneMountPerClass} test class mounts with: a subclass that only adds
 * this annotation runs every inherited test on another storage type.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface MountLines {
    String[] value();

    /** Arguments of {@code xdevfs mount} besides the config, e.g. {@code --dispatch multi}. */
    String[] args() default {};
}

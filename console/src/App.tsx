import { App as AntdApp, Result } from 'antd';
import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { AuthProvider, useAuth } from './auth';
import { I18nProvider, useI18n } from './i18n';
import { AppLayout } from './layout/AppLayout';
import { Login } from './pages/Login';
import { SCREENS, screensOf } from './routes';

function RequireLogin({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const { pathname } = useLocation();
  return user ? children : <Navigate to="/login" replace state={{ from: pathname }} />;
}

function Home() {
  const { user } = useAuth();
  const first = user && screensOf(user.role).find((s) => !s.hidden);
  return first ? <Navigate to={first.path} replace /> : <NotFound />;
}

function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title="404" subTitle={t('app.notFound')} />;
}

/** The console's routes: the login page, and every screen of SCREENS the user's role may open. */
export function AppRoutes() {
  const { user } = useAuth();
  return (
    <Routes>
      <Route path="/login" element={<Login />} />
      <Route
        element={
          <RequireLogin>
            <AppLayout />
          </RequireLogin>
        }
      >
        <Route index element={<Home />} />
        {SCREENS.filter((s) => user && s.roles.includes(user.role)).map((s) => (
          <Route key={s.path} path={s.path} element={s.element} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

/** The providers every screen relies on: language (with antd's locale), antd's message context, login. */
export function Providers({ children }: { children: ReactNode }) {
  return (
    <I18nProvider>
      <AntdApp>
        <AuthProvider>{children}</AuthProvider>
      </AntdApp>
    </I18nProvider>
  );
}

export function App() {
  return (
    <Providers>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </Providers>
  );
}

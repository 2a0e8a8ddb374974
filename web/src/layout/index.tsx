import { Layout, type LayoutProps } from 'react-admin';
import { IdleSourcesBanner } from './idle-sources-banner';
import { HeadroomAppBar } from './user-menu';

/** react-admin's layout with the configuration banners above every page. */
export const HeadroomLayout = ({ children, ...props }: LayoutProps) => (
  <Layout {...props} appBar={HeadroomAppBar}>
    <IdleSourcesBanner />
    {children}
  </Layout>
);
